/**
 * Real codec configuration records, produced at development time with Debian's ffmpeg 5.1 and
 * cut out of its output (FLV tags for H.264/AAC/MP3, MP4 boxes for HEVC/AV1/VP9, the Ogg and FLAC
 * streams for OpusHead/STREAMINFO). The commands are next to each fixture.
 */

// ffmpeg -f lavfi -i testsrc2=size=640x360:rate=25 -t 1 -c:v libx264 -profile:v high -f flv out.flv
// (first video tag: the AVC sequence header)
export const AVC_HIGH_640x360 = `
  17            # FrameType 1 (key) | CodecID 7 (AVC)
  00            # AVCPacketType 0: sequence header
  000000        # CompositionTime 0
  01            # configurationVersion
  64 00 1e      # profile 100 (High), compatibility 0, level 30
  ff            # 6 reserved bits, lengthSizeMinusOne 3
  e1            # 3 reserved bits, 1 SPS
  001a 6764001eacd940a02ff97011000003000100000300320f162d96   # SPS (26 bytes)
  01            # 1 PPS
  0006 68ebe3cb22c0                                            # PPS
  fd f8 f8 00   # chroma_format 1, bit depths 8/8, no SPS extensions
`;

// The first coded frame of that stream (a keyframe, composition time 80 ms), cut after 24 bytes.
export const AVC_HIGH_FIRST_FRAME = `
  17 01 000050  # key, AVC NALU, CompositionTime 80
  000002ae 0605ffffaadc45e9bde6d948b7962c   # first NAL unit (length 686, SEI), truncated
`;

// -s 1920x1080 -preset ultrafast -profile:v main: x264 signals Constrained Baseline; 1088 rows cropped to 1080.
export const AVC_1080 = `
  17 00 000000 01 42 c0 28 ff e1
  0019 6742c028da01e0089f97011000000300100000030320f1832a
  01 0004 68ce0fc8
`;

// -s 642x362 -profile:v baseline: 656x368 coded, cropped on both axes.
export const AVC_642x362 = `
  17 00 000000 01 42 c0 1e ff e1
  0019 6742c01eda0290bf8893011000000300100000030320f162ea
  01 0004 68ce0fc8
`;

// -s 320x240 -profile:v high444 -pix_fmt yuv444p: chroma_format_idc 3 in the SPS.
export const AVC_444 = `
  17 00 000000 01 f4 00 0d ff e1
  0018 67f4000d91968141fb011000000300100000030320f142aa
  01 0005 68ce0f1920
  ff f8 f8 00
`;

// -s 320x240 -x264-params interlaced=1: frame_mbs_only_flag 0 (field pairs, 256 rows cropped to 240).
export const AVC_INTERLACED = `
  17 00 000000 01 4d 40 15 ff e1
  0017 674d4015f40a087e5c0440000003004000000c87c50aa8
  01 0004 68de0fc8
`;

// -s 640x360 -profile:v high -x264-params cqm=jvt: seq_scaling_matrix_present_flag set.
export const AVC_SCALING_MATRIX = `
  17 00 000000 01 64 00 1e ff e1
  0019 6764001eacb405017fcb80880000030008000003019078b175
  01 0005 68ce0fc40c
  fd f8 f8 00
`;

// ffmpeg -f lavfi -i sine=sample_rate=44100 -ac 2 -c:a aac -f flv: the sequence header, then a frame.
export const AAC_SEQUENCE_HEADER = `
  af      # SoundFormat 10 (AAC) | rate 3 (44 kHz) | size 1 (16-bit) | type 1 (stereo)
  00      # AACPacketType 0: AudioSpecificConfig
  1210    # AOT 2 (LC), frequency index 4 (44100), channel configuration 2
`;
export const AAC_FRAME = 'af 01 de02004c61766335392e33372e31';

// -c:a libmp3lame -f flv: legacy MP3 header, then an MPEG-1 Layer III frame header.
export const MP3_FRAME = `
  2f          # SoundFormat 2 (MP3) | 44 kHz | 16-bit | stereo
  fffb9064    # sync, MPEG-1, Layer III, no CRC, 128 kbit/s, 44100 Hz, joint stereo
  0000026b0bce9d60600000
`;

// ffmpeg ... -c:v libx265 -preset ultrafast out.mp4: the hvcC box, without x265's SEI array.
export const HVCC_640x360 = `
  01                # configurationVersion
  01                # profile space 0, tier 0 (Main), profile 1 (Main)
  60000000          # profile compatibility flags 1 and 2
  900000000000      # constraint flags (progressive, frame-only)
  3f                # level 63 (2.1)
  f000 fc fd f8 f8 0000 0f   # segmentation, parallelism, chroma 1, 8/8 bits, frame rate, lengthSizeMinusOne 3
  03                # 3 arrays
  20 0001 0018 40010c01ffff01600000030090000003000003003f959409                                   # VPS
  21 0001 002b 42010101600000030090000003000003003fa005020171f2e595952930bc05a02000000300200000030321  # SPS
  22 0001 0006 4401c073c189                                                                        # PPS
`;

// ... -c:v libsvtav1 out.mp4: the av1C box.
export const AV1C_640x360 = `
  81          # marker 1, version 1
  01          # seq_profile 0, seq_level_idx_0 1 (level 2.1)
  0c          # tier 0, 8-bit, not monochrome, 4:2:0 (subsampling x and y)
  00          # no initial presentation delay
  0a 0b 0000000cc4ff6700be0010   # sequence header OBU (type 1, with size 11)
`;

// ... -c:v libvpx-vp9 out.mp4: the vpcC box payload (FullBox version 1, flags 0, then the record).
export const VPCC_640x360 = `
  01 000000   # version 1, flags 0
  00          # profile 0
  15          # level 21 (2.1)
  82          # bit depth 8, chroma subsampling 1 (4:2:0 colocated), limited range
  02 02 02    # colour primaries, transfer, matrix: unspecified
  0000        # no codec initialization data
`;

// ffmpeg -f lavfi -i sine=sample_rate=48000 -ac 2 -c:a libopus out.opus: the identification header.
export const OPUS_HEAD = `
  4f70757348656164   # "OpusHead"
  01                 # version
  02                 # 2 channels
  3801               # pre-skip 312 (little-endian)
  80bb0000           # input sample rate 48000 (little-endian)
  0000               # output gain 0
  00                 # channel mapping family 0
`;

// ffmpeg -f lavfi -i sine=sample_rate=44100 -ac 2 -c:a flac out.flac: "fLaC" and STREAMINFO.
export const FLAC_HEADER = `
  664c6143          # "fLaC"
  00 000022         # not last, type 0 (STREAMINFO), 34 bytes
  1200 1200         # min/max block size 4608
  000004 a30005     # min/max frame size
  0ac442f0          # 44100 Hz (20 bits), 2 channels, 16 bits per sample, then total samples...
  00 0022745d       # total samples
  105ceb212ad5d36e4f5608def3d8b7   # MD5 (first 15 bytes) ...
  00                # ... and its last byte (not from the file)
`;
