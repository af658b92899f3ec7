import subprocess

from helpers.paths import data_root, display_path, figures_dir, notebooks_dir, repo_root


def test_paths_come_from_the_package_location_not_the_working_directory(
    tmp_path, monkeypatch, repo
):
    monkeypatch.delenv("FIGURES_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert repo_root() == repo
    assert notebooks_dir() == repo / "notebooks"


def test_data_root_defaults_to_data_in_the_repository(monkeypatch, repo):
    monkeypatch.delenv("MNIST_ROOT", raising=False)
    assert data_root() == repo / "data"


def test_mnist_root_overrides_the_data_root(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_ROOT", str(tmp_path))
    assert data_root() == tmp_path.resolve()


def test_display_path_is_relative_inside_the_repository_only(tmp_path, repo):
    assert display_path(repo / "figures" / "a.png") == "figures/a.png"
    assert display_path(tmp_path / "a.png") == (tmp_path / "a.png").resolve().as_posix()


def test_figures_dir_can_be_redirected(tmp_path, monkeypatch):
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "elsewhere"))
    assert figures_dir() == (tmp_path / "elsewhere").resolve()
    monkeypatch.setenv("FIGURES_DIR", "")
    assert figures_dir() != (tmp_path / "elsewhere").resolve()


def test_the_instructor_edition_writes_the_lectures_figures(monkeypatch, repo):
    monkeypatch.delenv("FIGURES_DIR", raising=False)
    monkeypatch.chdir(repo / "notebooks")  # where `make run` starts its kernels
    assert figures_dir() == repo / "figures"


def test_a_student_run_writes_its_figures_where_git_ignores_them(tmp_path, monkeypatch, repo):
    monkeypatch.delenv("FIGURES_DIR", raising=False)
    for folder in (repo / "student", repo, tmp_path):
        monkeypatch.chdir(folder)
        assert figures_dir() == repo / "student" / "figures"
    ignored = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "-q", "student/figures/chain_rule.png"],
        check=False,
    )
    assert ignored.returncode == 0
