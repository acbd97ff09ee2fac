/* Read aloud: a button beside each question reads it and its answers with the browser's own
   speech synthesis, in the page's language. Shown only where the browser can speak; without
   this script (or without speech) the page is the same, minus the buttons. */
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var lang = (document.documentElement.lang || "de").split("-x-")[0];
  function text(node) { return node ? node.textContent.replace(/\s+/g, " ").trim() : ""; }
  function words(question) {
    var parts = [text(question.querySelector(".question-label"))];
    var hint = question.querySelector(".hint");
    if (hint) { parts.push(text(hint)); }
    var labels = question.querySelectorAll(".choice label");
    for (var i = 0; i < labels.length; i += 1) { parts.push(text(labels[i])); }
    return parts.filter(Boolean).join(". ");
  }
  var buttons = document.querySelectorAll("button[data-read-aloud]");
  for (var i = 0; i < buttons.length; i += 1) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function (event) {
      var question = document.getElementById(event.currentTarget.getAttribute("data-read-aloud"));
      var utterance = new window.SpeechSynthesisUtterance(words(question));
      utterance.lang = lang;
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(utterance);
    });
  }
}());
