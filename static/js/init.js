// Marks the page as JavaScript-capable before GOV.UK Frontend loads, as the
// GOV.UK template's inline snippet would (the CSP forbids inline scripts).
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
