/* Datasette 0.65.5's templates/_close_open_menus.html script (Apache License 2.0), as a file so that pages
   need no inline script: a click outside an open <details> menu closes it. */
document.body.addEventListener("click", (ev) => {
  var target = ev.target;
  var detailsClickedWithin = null;
  while (target && target.tagName != "DETAILS") {
    target = target.parentNode;
  }
  if (target && target.tagName == "DETAILS") {
    detailsClickedWithin = target;
  }
  Array.from(document.getElementsByTagName("details"))
    .filter((details) => details.open && details != detailsClickedWithin)
    .forEach((details) => (details.open = false));
});
