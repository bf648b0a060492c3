import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Analog sensor noise. Available only where the hardware exists; this build detects the devices and reports
 * them unavailable with the reason (raw capture is not implemented yet, and nothing is ever simulated).
 */
export const sensorSources: SourceSpec[] = [
  {
    name: 'audio_noise',
    category: 'sensor',
    kind: 'physical',
    description: 'ALSA capture noise: low bits of raw PCM samples',
    physics:
      'Thermal and shot noise of the microphone preamplifier and ADC appear in the least significant bits of ' +
      'raw capture samples, even with no input: real analog noise, the best physical source where present.',
    requirements: ['an ALSA capture device (/dev/snd/pcmC*D*c)', 'the audio group'],
    fast: false,
    sampler: 'audio_noise',
    batchSize: 4096,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'camera_noise',
    category: 'sensor',
    kind: 'physical',
    description: 'V4L2 camera noise: low bits of raw frame pixels (lens covered or dark)',
    physics:
      'Dark current, read noise and photon shot noise of the image sensor show up in the low bits of raw pixels.',
    requirements: ['a V4L2 camera (/dev/video*)', 'the video group'],
    fast: false,
    sampler: 'camera_noise',
    batchSize: 4096,
    credit: 1,
    extract: lowByte,
  },
];
