import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlvReader, readFlvFile } from '@rtmp-web/rtmp';

describe('readFlvFile on the bundled clip', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../../assets/demo-clip.flv', import.meta.url)));

  it('finds onMetaData, both sequence headers, 200 video and 375 audio tags (the counts ffprobe reports)', () => {
    const { header, tags } = readFlvFile(bytes);
    expect(header).toEqual({ version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 });
    expect(tags[0]!.kind).toBe('script');
    expect(tags.filter((t) => t.kind === 'video')).toHaveLength(202); // AVC sequence header, 200 frames, AVC end of sequence (17 02)
    expect(tags.filter((t) => t.kind === 'audio')).toHaveLength(376); // AAC sequence header + 375 frames
    expect(tags.length).toBe(579);
    // AVCDecoderConfigurationRecord: keyframe/AVC 0x17, packet type 0, version 1, High profile 0x64, level 3.0 (0x1e).
    const avcConfig = tags.find((t) => t.kind === 'video')!;
    expect(Array.from(avcConfig.data.subarray(0, 9))).toEqual([0x17, 0, 0, 0, 0, 1, 0x64, 0x00, 0x1e]);
    // AAC sequence header: AudioSpecificConfig 0x1190 = AAC-LC, 48 kHz, 2 channels, then ffmpeg's
    // backward-compatible extension 0x56e500 (sync 0x2b7, SBR object type, sbrPresent 0).
    const aacConfig = tags.find((t) => t.kind === 'audio')!;
    expect(Array.from(aacConfig.data)).toEqual([0xaf, 0x00, 0x11, 0x90, 0x56, 0xe5, 0x00]);
  });

  it('reads the same tags when the file arrives in 4 KiB pieces', () => {
    const whole = readFlvFile(bytes).tags;
    const reader = new FlvReader();
    const tags = [];
    for (let offset = 0; offset < bytes.length; offset += 4096) {
      for (const event of reader.push(bytes.subarray(offset, offset + 4096))) if (event.type === 'tag') tags.push(event.tag);
    }
    reader.end();
    expect(tags).toEqual(whole);
  });
});
