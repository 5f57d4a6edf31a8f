/** Capture files: format detection, streaming pcap / pcapng readers, gzip. */
export { type DetectedFormat, detectFormat } from './detect.ts'
export { type CaptureFileInfo, type ReadCaptureOptions, readCapture } from './read-capture.ts'
