import { ensureChromium } from './chromium'

/** Before any browser test file: a Chromium to drive, installed once when missing and allowed. */
export default function setup() {
  ensureChromium()
}
