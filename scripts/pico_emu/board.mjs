// A Raspberry Pi Pico for the test runner: boots a UF2 in rp2040js and joins
// the firmware's USB CDC console (RPI_PICO's REPL) to this process's stdin and
// stdout, byte for byte. Diagnostics go to stderr only.
//
//   node board.mjs EMU_DIR BOOTROM.bin FIRMWARE.uf2 [OFFSET:IMAGE]
//
// OFFSET:IMAGE puts the bytes of IMAGE into flash at OFFSET (hex or decimal,
// from the start of flash) after the UF2: a file system the firmware finds
// at boot, since the emulated flash cannot be written by the firmware.
//
// EMU_DIR holds node_modules/rp2040js (scripts/pico_emu/setup.py installs the
// pinned version there). When stdin closes, the board stops and stderr gets
// one line "board: N.NNN s board time, N.NNN s wall"; if the emulator stops
// on its own (an access it cannot model), the process exits with status 3.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [emuDir, bootromPath, uf2Path, flashImage] = process.argv.slice(2);
if (!uf2Path) {
  process.stderr.write('usage: node board.mjs EMU_DIR BOOTROM.bin FIRMWARE.uf2\n');
  process.exit(2);
}
// The package sits in the build directory, not next to this file.
const require = createRequire(path.join(path.resolve(emuDir), 'package.json'));
const { RP2040, USBCDC } = require('rp2040js');

const FLASH_BASE = 0x10000000;
const UF2_MAGIC0 = 0x0a324655;
const UF2_MAGIC1 = 0x9e5d5157;
const UF2_MAGIC_END = 0x0ab16f30;
const UF2_NOT_MAIN_FLASH = 0x1;

// The emulator's own log goes to stdout by default, where it would mix with
// the console bytes.
const stderrLogger = {
  debug() {},
  info() {},
  warn(name, msg) {
    process.stderr.write(`board: [${name}] ${msg}\n`);
  },
  error(name, msg) {
    process.stderr.write(`board: [${name}] ${msg}\n`);
    throw new Error(`[${name}] ${msg}`);
  },
};

function loadUf2(mcu, data) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let blocks = 0;
  for (let off = 0; off + 512 <= data.length; off += 512) {
    if (view.getUint32(off, true) !== UF2_MAGIC0 || view.getUint32(off + 4, true) !== UF2_MAGIC1 ||
        view.getUint32(off + 508, true) !== UF2_MAGIC_END) {
      throw new Error(`${uf2Path}: not a UF2 block at offset ${off}`);
    }
    const flags = view.getUint32(off + 8, true);
    const addr = view.getUint32(off + 12, true);
    const size = view.getUint32(off + 16, true);
    if (flags & UF2_NOT_MAIN_FLASH) continue;
    if (addr < FLASH_BASE || addr + size > FLASH_BASE + mcu.flash.length || size > 476) {
      throw new Error(`UF2 block at offset ${off} targets 0x${addr.toString(16)}+${size}`);
    }
    mcu.flash.set(data.subarray(off + 32, off + 32 + size), addr - FLASH_BASE);
    blocks++;
  }
  if (!blocks) throw new Error('UF2 has no flash blocks');
}

const mcu = new RP2040();
mcu.logger = stderrLogger;
try {
  const rom = readFileSync(bootromPath);
  if (rom.length !== 16384) throw new Error(`${bootromPath}: ${rom.length} bytes, not a 16 KiB bootrom`);
  // A copy: a Buffer's offset in its pool need not be 4-aligned.
  mcu.loadBootrom(new Uint32Array(Uint8Array.from(rom).buffer));
  loadUf2(mcu, readFileSync(uf2Path));
  if (flashImage) {
    const sep = flashImage.indexOf(':');
    const offset = Number(flashImage.slice(0, sep));
    const image = readFileSync(flashImage.slice(sep + 1));
    if (!(sep > 0) || !Number.isInteger(offset) || offset < 0 || offset + image.length > mcu.flash.length) {
      throw new Error(`flash image ${flashImage}: not OFFSET:FILE within the flash`);
    }
    mcu.flash.set(image, offset);
  }
} catch (e) {
  process.stderr.write(`board: ${e.message}\n`);
  process.exit(2);
}

// The flash chip select has a pull-up on the board, and the BOOTSEL button
// pulls it low. rp2040js reads an undriven input as low and starts the pad
// with its input disabled, so CircuitPython, which senses the button at boot
// by floating that pin, would see it held down for ever (and wait for its
// release). The pad gets the chip's reset value (0x5a: input enabled,
// pull-up) and the line reads high: the button is not pressed.
mcu.qspi[1].padValue = 0x5a;
mcu.qspi[1].setInputValue(true);

// A BKPT instruction (a hard fault handler, an assert) ends the run.
mcu.onBreak = (code) => {
  process.stderr.write(`board: breakpoint ${code} at pc=0x${(mcu.core.PC >>> 0).toString(16)}\n`);
  report();
  process.exit(3);
};

const cdc = new USBCDC(mcu.usbCtrl);
cdc.onSerialData = (bytes) => process.stdout.write(bytes);

// Input waits here until the firmware arms its OUT endpoint. rp2040js answers
// an armed endpoint at once, with an empty packet when it has nothing; holding
// the request until bytes arrive instead is what a USB host does (NAK), and
// keeps an idle REPL from spinning on empty transfers.
let pending = Buffer.alloc(0);
let armed = 0;
const usb = mcu.usbCtrl;
const cdcRead = usb.onEndpointRead;
function deliver() {
  if (!armed || !pending.length) return;
  const n = Math.min(armed, pending.length);
  armed = 0;
  usb.endpointReadDone(cdc.outEndpoint, new Uint8Array(pending.subarray(0, n)));
  pending = pending.subarray(n);
}
usb.onEndpointRead = (endpoint, size) => {
  if (endpoint !== cdc.outEndpoint) {
    cdcRead(endpoint, size);
    return;
  }
  armed = size;
  deliver();
};

// Boot as the bootrom does after reset: boot2 (the first 256 bytes of flash)
// configures XIP and jumps to the vector table behind it.
mcu.core.PC = FLASH_BASE;

const started = process.hrtime.bigint();
let running = true;

function report() {
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const board = mcu.clock.nanos / 1e9;
  process.stderr.write(`board: ${board.toFixed(3)} s board time, ${wall.toFixed(3)} s wall\n`);
}

// Simulator.execute yields through setTimeout(0), which Node stretches to a
// millisecond per batch; setImmediate lets stdin in without that pause.
const CYCLE_NANOS = 1e9 / 125e6;
function run() {
  if (!running) return;
  const { core, clock } = mcu;
  try {
    for (let i = 0; i < 200000; i++) {
      if (core.waiting) {
        const skip = clock.nanosToNextAlarm;
        clock.tick(skip);
        i += skip / CYCLE_NANOS;
      } else {
        clock.tick(core.executeInstruction() * CYCLE_NANOS);
      }
    }
  } catch (e) {
    process.stderr.write(`board: emulator stopped at pc=0x${(core.PC >>> 0).toString(16)}: ${e.message}\n`);
    report();
    process.exit(3);
  }
  setImmediate(run);
}

process.stdin.on('data', (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  deliver();
});
process.stdin.on('end', () => {
  running = false;
  report();
  process.exit(0);
});

run();
