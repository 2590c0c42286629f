// Check-in on the night: scan the QR code on a candidate's email with the
// phone's camera. The code holds their reference (e.g. HC-7K4M2Q); a scan
// fills the search box and sends it, so the page lists that person with
// their Check in button: one more tap checks them in. Without a camera or
// JavaScript the search box works as before. Bundled by `npm run build:js`
// into build/js/checkin-scanner.js (no third-party script at run time).
import { BrowserQRCodeReader } from "@zxing/browser";

const REFERENCE = /^[A-Z]{2,4}-[0-9A-Z]{6}$/;

function start(panel, form, input) {
  const button = panel.querySelector("[data-scan-start]");
  const stopButton = panel.querySelector("[data-scan-stop]");
  const video = panel.querySelector("video");
  const status = panel.querySelector("[data-scan-status]");
  let controls = null;

  function stop(message) {
    if (controls) controls.stop();
    controls = null;
    video.hidden = true;
    stopButton.hidden = true;
    button.hidden = false;
    if (message) status.textContent = message;
  }

  button.addEventListener("click", async () => {
    button.hidden = true;
    stopButton.hidden = false;
    video.hidden = false;
    status.textContent = "Point the camera at the QR code in the candidate’s email.";
    const reader = new BrowserQRCodeReader();
    try {
      controls = await reader.decodeFromConstraints(
        { video: { facingMode: "environment" } },
        video,
        (result) => {
          if (!result) return;
          const text = result.getText().trim().toUpperCase();
          if (!REFERENCE.test(text)) {
            status.textContent = "That QR code is not a registration reference. Try again.";
            return;
          }
          stop(`Found ${text}. Finding them…`);
          input.value = text;
          form.requestSubmit ? form.requestSubmit() : form.submit();
        },
      );
    } catch (error) {
      stop("The camera could not start. Search by name or reference instead.");
    }
  });
  stopButton.addEventListener("click", () => stop("Scanning stopped."));
}

document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("door-scan");
  const form = document.querySelector(".app-door-search");
  const input = document.getElementById("door-search");
  if (!panel || !form || !input) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  panel.hidden = false;
  start(panel, form, input);
});
