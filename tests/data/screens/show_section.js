// Injected by tests/test_screens.py for a screenshot of one section: headless Chromium
// captures the top of the page only, so everything before the heading named by the URL
// fragment is removed and the page laid out again.
window.addEventListener("load", function () {
  // ids as written (nbconvert percent-encodes them) or decoded (Quarto keeps the characters)
  var raw = location.hash.slice(1);
  var el = document.getElementById(raw) || document.getElementById(decodeURIComponent(raw));
  if (!el) return;
  for (var node = el; node && node !== document.body; node = node.parentElement) {
    while (node.previousElementSibling) node.parentElement.removeChild(node.previousElementSibling);
  }
  window.scrollTo(0, 0);  // the browser may have scrolled to the fragment already
  window.dispatchEvent(new Event("resize"));
});
