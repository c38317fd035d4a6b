/* Studio: "Submit for review" posts to the block's handler and shows the answer.
   Two parameters, no init arguments: runtimes read a container's arguments together with
   its children's (the workbench concatenates them), so the URL comes from the runtime. */
function ElearnApprovalAuthor(runtime, element) {
  "use strict";
  var root = element.jquery ? element[0] : element;
  var submitUrl = runtime.handlerUrl(root, "submit");
  var button = root.querySelector(".elearn-approval__submit");
  var message = root.querySelector(".elearn-approval__message");
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  if (!button) { return; }
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch(submitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: "{}"
    }).then(function (response) {
      return response.json().catch(function () { return {ok: false}; });
    }).then(function (data) {
      message.textContent = data.ok ? "\u2713" : (data.message || "");
      if (!data.ok) { button.disabled = false; }
    }).catch(function () { button.disabled = false; });
  });
}
