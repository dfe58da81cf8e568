// Bring the first error of a re-shown form into view and put the cursor in its field, so
// the person sees what to fix without scrolling (a phone shows about 800 px).
const first = document.querySelector(".errorlist, .form-errors, [aria-invalid='true']");
if (first) {
  const details = first.closest("details");
  if (details) details.open = true;
  // The field's own wrapper (Django renders each field in a div), never the whole form.
  const box = first.closest(".field") || first.parentElement || first;
  box.scrollIntoView({ block: "center" });
  const control = box.querySelector("input:not([type=hidden]), select, textarea");
  if (control) control.focus({ preventScroll: true });
}
