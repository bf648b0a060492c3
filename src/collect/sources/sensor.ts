import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Analog sensor noise: raw samples of an ALSA capture device (native/src/audio_noise.cc) and raw pixels of
 * a V4L2 camera (native/src/camera_noise.cc). Available only where the hardware exists; otherwise the probe
 * gives the reason and nothing is simulated. Like OE_DNS_RESOLVER, the device can be named explicitly:
 * OE_ALSA_PCM (any ALSA PCM name) and OE_V4L2_DEVICE (a /dev/video* path).
 *
 * Extraction (both): `lowByte`, the low 8 bits of each value (two's complement for audio). For audio the
 * value is channel 0 of one frame shifted so that bit 0 is the converter's least significant bit; for the
 * camera it is one pixel (8-bit sample, or the right-aligned 16-bit word of Y10/Y12/Y16 and unpacked
 * Bayer). Those low bits carry the analog noise; the high bits carry the signal (sound, scene).
 */
export const sensorSources: SourceSpec[] = [
  {
    name: 'audio_noise',
    category: 'sensor',
    kind: 'physical',
    description: 'ALSA capture noise: low bits of raw PCM samples (OE_ALSA_PCM or the first hw capture device)',
    physics:
      'Thermal (Johnson) noise of the input resistors and preamplifier, shot noise and the quantisation of ' +
      'the ADC appear in the least significant bits of raw capture samples, even with nothing plugged in: ' +
      'real analog noise, the best physical source where present. alsa-lib (libasound.so.2) is loaded at ' +
      'run time; the PCM is $OE_ALSA_PCM when set (e.g. hw:1,0, plughw:0 or a name from an asoundrc), else ' +
      'the first /dev/snd/pcmC<card>D<dev>c as hw:<card>,<dev>. Each batch opens the PCM, takes a native ' +
      'integer format (S16_LE, else S32_LE, S24_LE, S24_3LE; no conversion on hw:), the device’s minimum ' +
      'channel count (channel 0 is kept) and 48 kHz or the nearest rate without resampling, drops the first ' +
      '50 ms while the converter’s filters settle, reads until the batch is full (recovering overruns) and ' +
      'closes the PCM, so no device is held between batches. Samples are shifted right by the format’s ' +
      'unused low bits (a 24-bit codec delivering S32_LE has 8 zero bits) so the low byte is the ADC’s. ' +
      'Caveats: a muted input, a digital source (HDMI/S/PDIF capture) or a codec with a noise gate gives ' +
      'constant or nearly constant samples, which the health tests reject; a signal on the input (speech, ' +
      'mains hum) is observable by others and only its residual noise counts. Credit: 1 bit per byte is a ' +
      'ceiling set without measurement (no sound card on the development VM); the pool credits the smaller ' +
      'of it and the startup estimate.',
    requirements: [
      'an ALSA capture device (/dev/snd/pcmC*D*c) or OE_ALSA_PCM=<ALSA PCM name>',
      'libasound.so.2 (Debian/Ubuntu: libasound2)',
      'read/write access to /dev/snd/* (the audio group)',
    ],
    fast: false,
    sampler: 'audio_noise',
    params: { rate: 48000, settleMs: 50 },
    batchSize: 8192,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'camera_noise',
    category: 'sensor',
    kind: 'physical',
    description:
      'V4L2 camera noise: low bits of raw, uncompressed frame pixels (OE_V4L2_DEVICE or the first capture device)',
    physics:
      'Dark current, read noise and photon shot noise of the image sensor show up in the low bits of raw ' +
      'pixels; with the lens covered, dark current and read noise remain. The device is $OE_V4L2_DEVICE when ' +
      'set, else the first /dev/video* whose VIDIOC_QUERYCAP reports video capture. The format is the first ' +
      'uncompressed one offered among GREY, Y10/Y12/Y14/Y16, Bayer (8-bit and unpacked 10/12/16-bit), then ' +
      'YUYV/UYVY/YVYU/VYUY and NV12/NV21/YU12/YV12 using only luma; MJPEG/H.264-only cameras are ' +
      'unavailable because compressed pixels carry no raw sensor noise. Smallest listed frame size, mmap ' +
      'streaming (read() when that is all the device offers), the first 2 frames after starting are dropped ' +
      '(exposure settling), and each batch opens and closes the device. Caveats: the camera’s own processing ' +
      '(noise reduction, YUV conversion) smooths the noise, most in luma-from-YUV formats; a bright scene ' +
      'saturates pixels to constants. This capture path has not been run on camera hardware (the ' +
      'development VM has none). Credit: 1 bit per byte is an unmeasured ceiling; the pool credits the ' +
      'smaller of it and the startup estimate.',
    requirements: [
      'a V4L2 video capture device (/dev/video*) with an uncompressed format, or OE_V4L2_DEVICE=<path>',
      'read/write access to it (the video group)',
    ],
    fast: false,
    sampler: 'camera_noise',
    params: { settleFrames: 2 },
    batchSize: 16384,
    credit: 1,
    extract: lowByte,
  },
];
