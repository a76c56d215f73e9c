import { describe, expect, it } from 'vitest';
import { PlayerStateMachine } from '../src/player-state';
import type { PlayerState } from '../src/player-state';

describe('PlayerStateMachine', () => {
  it('follows a normal session: idle, connecting, buffering, playing, buffering (stall), playing, idle', () => {
    const m = new PlayerStateMachine();
    const path: PlayerState[] = ['connecting', 'buffering', 'playing', 'buffering', 'playing', 'idle'];
    expect(path.map((s) => m.move(s, 'test')?.to)).toEqual(path);
  });

  it('reconnects after a drop and comes back through connecting', () => {
    const m = new PlayerStateMachine();
    m.move('connecting', 'load');
    m.move('buffering', 'Play.Start');
    m.move('playing', 'frames');
    expect(m.move('reconnecting', 'transport closed')).toEqual({ from: 'playing', to: 'reconnecting', reason: 'transport closed' });
    expect(m.move('playing', 'x')).toBeNull(); // must connect first
    expect(m.move('connecting', 'retry')?.to).toBe('connecting');
  });

  it('refuses moves that make no sense and ignores moves to the current state', () => {
    const m = new PlayerStateMachine();
    expect(m.move('playing', 'x')).toBeNull();
    expect(m.move('reconnecting', 'x')).toBeNull();
    expect(m.move('idle', 'x')).toBeNull();
    m.move('connecting', 'load');
    m.move('error', 'fatal');
    expect(m.canMove('playing')).toBe(false);
    expect(m.move('connecting', 'load again')?.to).toBe('connecting');
  });

  it('an ended live stream can resume buffering when the publisher comes back', () => {
    const m = new PlayerStateMachine();
    m.move('connecting', 'load');
    m.move('buffering', 'Play.Start');
    m.move('ended', 'UnpublishNotify');
    expect(m.move('buffering', 'PublishNotify')?.to).toBe('buffering');
  });
});
