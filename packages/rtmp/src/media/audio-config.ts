import { ByteReader } from '@rtmp-web/bytes';
import { RtmpError } from '../errors';
import { BitReader } from './bit-reader';
import { mediaDecoding } from './media-errors';

/** ISO/IEC 14496-3 §1.6.3.4 samplingFrequencyIndex. */
const AAC_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** channelConfiguration -> channel count (14496-3 Table 1.19; 0 means "in the program config element"). */
const AAC_CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0];

/** An AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1), the body of an AAC sequence header. */
export interface AudioSpecificConfig {
  /** The audio object type as signalled first: 2 AAC-LC, 5 SBR (HE-AAC), 29 PS (HE-AAC v2)... */
  objectType: number;
  /** With explicit SBR/PS signalling (5 or 29), the underlying object type (usually 2). */
  coreObjectType?: number;
  /** Core sampling rate. */
  sampleRate: number;
  /** With explicit SBR signalling: the output sampling rate. */
  extensionSampleRate?: number;
  /** 0 when the channel layout is in a program config element. */
  channels: number;
  channelConfiguration: number;
  /** "mp4a.40.<objectType>" (RFC 6381). */
  codecString: string;
}

export function parseAudioSpecificConfig(data: Uint8Array): AudioSpecificConfig {
  return mediaDecoding('AudioSpecificConfig', () => {
    const bits = new BitReader(data, 'AudioSpecificConfig');
    const objectType = readObjectType(bits);
    const sampleRate = readSampleRate(bits);
    const channelConfiguration = bits.bits(4);
    const config: AudioSpecificConfig = {
      objectType,
      sampleRate,
      channels: AAC_CHANNELS[channelConfiguration]!,
      channelConfiguration,
      codecString: `mp4a.40.${objectType}`,
    };
    if (objectType === 5 || objectType === 29) {
      // Explicit hierarchical SBR/PS signalling (§1.6.5.2): output rate, then the core object type.
      config.extensionSampleRate = readSampleRate(bits);
      config.coreObjectType = readObjectType(bits);
    }
    return config;
  });
}

function readObjectType(bits: BitReader): number {
  const type = bits.bits(5);
  return type === 31 ? 32 + bits.bits(6) : type;
}

function readSampleRate(bits: BitReader): number {
  const index = bits.bits(4);
  if (index === 15) return bits.bits(24);
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw new RtmpError('MEDIA_MALFORMED', `AAC sampling frequency index ${index} is reserved`);
  return rate;
}

/** The Opus identification header "OpusHead" (RFC 7845 §5.1), E-RTMP's Opus sequence start. */
export interface OpusHead {
  version: number;
  channels: number;
  preSkip: number;
  /** The encoder's input rate, informational: Opus always decodes at 48 kHz. */
  inputSampleRate: number;
  outputGain: number;
  mappingFamily: number;
  /** Always 48000 (RFC 7845 §5.1: playback rate). */
  sampleRate: 48000;
  codecString: 'opus';
}

export function parseOpusHead(data: Uint8Array): OpusHead {
  return mediaDecoding('OpusHead', () => {
    const reader = new ByteReader(data);
    if (reader.utf8(8) !== 'OpusHead') throw new RtmpError('MEDIA_MALFORMED', 'Opus sequence start does not begin with "OpusHead"');
    const version = reader.u8();
    const channels = reader.u8();
    reader.skip(8); // pre-skip, input rate, output gain: little-endian, read below once known present
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const head: OpusHead = {
      version,
      channels,
      preSkip: view.getUint16(10, true),
      inputSampleRate: view.getUint32(12, true),
      outputGain: view.getInt16(16, true),
      mappingFamily: reader.u8(),
      sampleRate: 48000,
      codecString: 'opus',
    };
    return head;
  });
}

/** FLAC STREAMINFO (FLAC format §8.2), E-RTMP's FLAC sequence start ("fLaC" + the STREAMINFO block). */
export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  totalSamples: number;
  codecString: 'flac';
}

export function parseFlacStreamInfo(data: Uint8Array): FlacStreamInfo {
  return mediaDecoding('FLAC STREAMINFO', () => {
    const reader = new ByteReader(data);
    if (data.length >= 4 && data[0] === 0x66 && data[1] === 0x4c && data[2] === 0x61 && data[3] === 0x43) reader.skip(4);
    const blockType = reader.u8() & 0x7f;
    if (blockType !== 0) throw new RtmpError('MEDIA_MALFORMED', `first FLAC metadata block is type ${blockType}, not STREAMINFO (0)`);
    const length = reader.u24();
    const bits = new BitReader(reader.bytesView(length), 'FLAC STREAMINFO');
    bits.skip(16 + 16 + 24 + 24); // block sizes, frame sizes
    const sampleRate = bits.bits(20);
    const channels = bits.bits(3) + 1;
    const bitsPerSample = bits.bits(5) + 1;
    const totalSamples = bits.bits(4) * 2 ** 32 + bits.bits(32);
    return { sampleRate, channels, bitsPerSample, totalSamples, codecString: 'flac' };
  });
}

/** An MPEG audio frame header (ISO/IEC 11172-3 §2.4.1.3, 13818-3), for MP3 tracks. */
export interface MpegAudioFrameHeader {
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  /** kbit/s; 0 for "free format". */
  bitrate: number;
  sampleRate: number;
  channels: 1 | 2;
  codecString: 'mp3';
}

const MPEG_RATES = [44100, 48000, 32000];
const BITRATES: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

export function parseMpegAudioFrameHeader(data: Uint8Array): MpegAudioFrameHeader {
  if (data.length < 4 || data[0] !== 0xff || (data[1]! & 0xe0) !== 0xe0) {
    throw new RtmpError('MEDIA_MALFORMED', 'MPEG audio frame does not start with a frame sync');
  }
  const versionBits = (data[1]! >>> 3) & 3;
  const layerBits = (data[1]! >>> 1) & 3;
  const bitrateIndex = data[2]! >>> 4;
  const rateIndex = (data[2]! >>> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 15 || rateIndex === 3) {
    throw new RtmpError('MEDIA_MALFORMED', 'MPEG audio frame header uses a reserved value');
  }
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const table = BITRATES[`${version === 1 ? 1 : 2}-${version === 1 ? layer : layer === 1 ? 1 : 2}`]!;
  return {
    version,
    layer,
    bitrate: table[bitrateIndex]!,
    sampleRate: MPEG_RATES[rateIndex]! / (version === 1 ? 1 : version === 2 ? 2 : 4),
    channels: data[3]! >>> 6 === 3 ? 1 : 2,
    codecString: 'mp3',
  };
}

/** The four bits after SoundFormat in a legacy FLV AUDIODATA header (FLV v10.1 §E.4.2.1). */
export interface LegacyAudioHeader {
  soundFormat: number;
  sampleRate: number;
  sampleSize: 8 | 16;
  channels: 1 | 2;
}

export function parseLegacyAudioHeader(byte: number): LegacyAudioHeader {
  const soundFormat = byte >>> 4;
  const rates = [5512, 11025, 22050, 44100];
  // Some formats have a fixed rate whatever the bits say (FLV spec, SoundRate notes).
  const fixed: Record<number, number> = { 4: 16000, 5: 8000, 11: 16000, 14: 8000 };
  return {
    soundFormat,
    sampleRate: fixed[soundFormat] ?? rates[(byte >>> 2) & 3]!,
    sampleSize: (byte & 0x02) !== 0 ? 16 : 8,
    channels: (byte & 0x01) !== 0 ? 2 : 1,
  };
}
