/**
 * The raw disk under the storage benchmarks: dd's sequential and synchronous write figures for
 * the directory in BENCH_DIR (default: the OS temp directory). Prints; asserts nothing; a
 * machine without dd prints why and still succeeds.
 */
import { formatDiskFigures, measureDisk } from './disk.js';

const measured = await measureDisk({ directory: process.env.BENCH_DIR });
if (measured.figures === null) {
  console.log(`disk: not measured (${measured.reason})`);
} else {
  console.log(`disk: dd writing zeros into ${measured.figures.directory} (node ${process.version})`);
  console.log(formatDiskFigures(measured.figures));
}
