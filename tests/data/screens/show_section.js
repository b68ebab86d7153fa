// Injected by tests/test_screens.py for a screenshot of one section: headless Chromium
// captures the top of the page only, so everything before the heading named by the URL
// fragment is removed and the page laid out again.
window.addEventListener("load", function () {
  var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!el) return;
  for (var node = el; node && node !== document.body; node = node.parentElement) {
    while (node.previousElementSibling) node.parentElement.removeChild(node.previousElementSibling);
  }
  window.dispatchEvent(new Event("resize"));
});
