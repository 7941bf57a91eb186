// Deep linking: post the signed LtiDeepLinkingResponse back to the platform at once
// (the page's button does the same when scripts are off).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("lti-return");
  if (form) form.submit();
});
