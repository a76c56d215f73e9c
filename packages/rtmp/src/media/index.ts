export { parseVideoMessage, parseVideoMessageTracks, parseAudioMessage, parseAudioMessageTracks, VideoFrameType } from './flv';
export type { VideoFrame, AudioFrame, VideoPacketKind, AudioPacketKind } from './flv';
export { parseAvcDecoderConfigurationRecord, parseAvcSps } from './avc';
export type { AvcDecoderConfigurationRecord, AvcSpsInfo } from './avc';
export { parseHevcDecoderConfigurationRecord, parseHevcSpsSize, hevcCodecString } from './hevc';
export type { HevcDecoderConfigurationRecord, HevcNalArray } from './hevc';
export { parseAv1CodecConfigurationRecord } from './av1';
export type { Av1CodecConfigurationRecord } from './av1';
export { parseVpcc } from './vp9';
export type { VpCodecConfigurationRecord } from './vp9';
export {
  parseAudioSpecificConfig,
  parseOpusHead,
  parseFlacStreamInfo,
  parseMpegAudioFrameHeader,
  parseLegacyAudioHeader,
} from './audio-config';
export type { AudioSpecificConfig, OpusHead, FlacStreamInfo, MpegAudioFrameHeader, LegacyAudioHeader } from './audio-config';
export { describeTrack } from './describe';
export type { TrackDescription } from './describe';
