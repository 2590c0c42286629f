// The QR decoder for browsers without BarcodeDetector, loaded by scanner.mjs
// only when needed. Only ZXing's QR code path is imported, file by file: its
// package index would bring every 1D and 2D format (about five times the size).
import BinaryBitmap from "@zxing/library/esm/core/BinaryBitmap";
import HybridBinarizer from "@zxing/library/esm/core/common/HybridBinarizer";
import QRCodeReader from "@zxing/library/esm/core/qrcode/QRCodeReader";
import RGBLuminanceSource from "@zxing/library/esm/core/RGBLuminanceSource";

const reader = new QRCodeReader();
const canvas = document.createElement("canvas");

// The text of the QR code in the video's current frame, or null.
export function readQRCode(video) {
  const { videoWidth: width, videoHeight: height } = video;
  if (!width || !height) return null;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(video, 0, 0, width, height);
  // Whole pixels: ZXing takes their luminance, (R + 2G + B) / 4, so the
  // byte order of red and blue in each 32-bit value does not matter.
  const pixels = new Int32Array(context.getImageData(0, 0, width, height).data.buffer);
  const image = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(pixels, width, height)));
  try {
    return reader.decode(image).getText();
  } catch {
    // ZXing throws when a frame has no readable code: try the next frame.
    return null;
  }
}
