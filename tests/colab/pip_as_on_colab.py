"""pip as it would run on Colab, for a dry run: `python -I -S pip_as_on_colab.py PIP_HOME SITE
MARKERS_JSON pip-arguments...`.

- Installed packages are those in SITE (fake records of Colab's, see `simulate.py`) and nothing
  of the environment this runs in: `-I -S` leaves only the standard library on `sys.path`, and
  pip itself is imported from PIP_HOME before SITE takes that place.
- Environment markers are judged for Colab (MARKERS_JSON), not for this Python: pip evaluates
  them for the Python that runs it, whatever `--python-version` says.
- `--python-version` and `--platform` are accepted without `--target` (which would ignore the
  installed packages), as pip >= 23.3 does for a dry run (pypa/pip#12215).
"""

import json
import sys

standard_library = list(sys.path)
pip_home, site, colab_markers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.append(pip_home)

from pip._internal.cli import cmdoptions
from pip._internal.cli.main import main
from pip._internal.models import installation_report
from pip._vendor.packaging import markers

sys.path[:] = [site, *standard_library]

local_markers = markers.default_environment
markers.default_environment = lambda: {**local_markers(), **colab_markers}
installation_report.default_environment = markers.default_environment  # what --report shows

check_dist_restriction = cmdoptions.check_dist_restriction
cmdoptions.check_dist_restriction = lambda options, check_target=False: check_dist_restriction(
    options
)

sys.exit(main(sys.argv[4:]))
