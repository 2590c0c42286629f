// Check-in on the night: scan the QR code on a candidate's email with the
// phone's camera. The code holds their reference (e.g. HC-7K4M2Q); a scan
// fills the search box and sends it, so the page lists that person with
// their Check in button: one more tap checks them in. Without a camera or
// JavaScript the search box works as before.
//
// Where the browser reads QR codes itself (BarcodeDetector: Android, macOS,
// ChromeOS) nothing else is loaded; elsewhere the ZXing QR decoder
// (scanner-zxing.mjs) is fetched from our own static files when the camera
// starts. `npm run build:js` bundles both, as ES modules, into build/js/
// (no third-party script at run time).

const REFERENCE = /^[A-Z]{2,4}-[0-9A-Z]{6}$/;
// A frame every 150 ms finds a code held up to the camera within a moment
// without keeping a phone's processor busy.
const FRAME_MS = 150;

async function nativeReader() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return async (video) => {
      const [code] = await detector.detect(video);
      return code ? code.rawValue : null;
    };
  } catch {
    return null;
  }
}

// A function from the video to the text of a QR code in its current frame.
async function qrReader() {
  return (await nativeReader()) || (await import("./scanner-zxing.mjs")).readQRCode;
}

function start(panel, form, input) {
  const button = panel.querySelector("[data-scan-start]");
  const stopButton = panel.querySelector("[data-scan-stop]");
  const video = panel.querySelector("video");
  const status = panel.querySelector("[data-scan-status]");
  let stream = null;
  let timer = null;

  function stop(message) {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    button.hidden = false;
    if (message) status.textContent = message;
  }

  function found(text) {
    if (!REFERENCE.test(text)) {
      status.textContent = "That QR code is not a registration reference. Try again.";
      return false;
    }
    stop(`Found ${text}. Finding them…`);
    input.value = text;
    form.requestSubmit ? form.requestSubmit() : form.submit();
    return true;
  }

  async function scan(read) {
    if (!stream) return;
    const text = await Promise.resolve(video).then(read).catch(() => null);
    if (text && found(text.trim().toUpperCase())) return;
    timer = setTimeout(() => scan(read), FRAME_MS);
  }

  button.addEventListener("click", async () => {
    button.hidden = true;
    stopButton.hidden = false;
    video.hidden = false;
    status.textContent = "Point the camera at the QR code in the candidate’s email.";
    try {
      const camera = navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
      const [media, read] = await Promise.all([camera, qrReader()]);
      stream = media;
      video.srcObject = stream;
      await video.play();
      scan(read);
    } catch {
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
