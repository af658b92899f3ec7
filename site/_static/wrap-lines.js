// Each line of a code or output block becomes a block of its own (see course.css), so that a
// line too long for the column wraps under its own indentation, marked ↪, instead of scrolling.
(function () {
  "use strict";
  const PIECES = /<span[^>]*>|<\/span>|\n|[^<\n]+|</g;

  function lines(html) {
    const result = [""];
    const open = []; // the spans open where a line ends, reopened on the next
    for (const piece of html.match(PIECES) || []) {
      if (piece === "\n") {
        result[result.length - 1] += "</span>".repeat(open.length);
        result.push(open.join(""));
      } else {
        if (piece.startsWith("<span")) open.push(piece);
        else if (piece === "</span>") open.pop();
        result[result.length - 1] += piece;
      }
    }
    if (result.length > 1 && result[result.length - 1].replace(/<[^>]*>/g, "") === "") {
      result.pop(); // the newline that ends the block
    }
    return result;
  }

  function markWrapped(pre) {
    const row = parseFloat(getComputedStyle(pre).lineHeight) || 0;
    for (const line of pre.querySelectorAll(".code-line")) {
      const style = getComputedStyle(line); // the first and last lines hold the box's padding
      const text = line.offsetHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      line.style.setProperty("--row", row + "px");
      line.classList.toggle("wraps", row > 0 && text > 1.5 * row);
    }
  }

  function split(pre) {
    if (pre.dataset.lines) return;
    pre.dataset.lines = "split";
    pre.innerHTML = lines(pre.innerHTML)
      .map((html) => {
        const text = html.replace(/<[^>]*>/g, "");
        const indent = text.length - text.trimStart().length;
        return `<span class="code-line" style="--indent: ${indent}">${html || " "}</span>`;
      })
      .join("");
  }

  function all() {
    const blocks = document.querySelectorAll("div.highlight pre");
    blocks.forEach(split);
    blocks.forEach(markWrapped);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
  const remark = () => document.querySelectorAll("div.highlight pre").forEach(markWrapped);
  window.addEventListener("resize", remark); // the column changed: other lines wrap
  window.addEventListener("beforeprint", remark);
})();
