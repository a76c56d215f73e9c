/**
 * The player's visible states and the moves between them (hls.js keeps these implicit; we make
 * them a table so every transition is deliberate and tested).
 *
 *   idle ──load──> connecting ──Play.Start──> buffering <──stall── playing
 *                     │    ^                     │   └──frames──────>│
 *                     │    └──── reconnecting <──┴── transport lost ─┘
 *                     └──> error (fatal)           ended (stream stopped)
 * stop() returns to idle from anywhere; destroy() is final and not a state.
 */
export type PlayerState = 'idle' | 'connecting' | 'buffering' | 'playing' | 'reconnecting' | 'ended' | 'error';

const ALLOWED: Record<PlayerState, readonly PlayerState[]> = {
  idle: ['connecting'],
  connecting: ['buffering', 'reconnecting', 'error', 'idle', 'ended'],
  buffering: ['playing', 'reconnecting', 'error', 'ended', 'idle', 'connecting'],
  playing: ['buffering', 'reconnecting', 'error', 'ended', 'idle', 'connecting'],
  reconnecting: ['connecting', 'error', 'idle'],
  ended: ['buffering', 'connecting', 'reconnecting', 'idle', 'error'],
  error: ['connecting', 'idle'],
};

export interface StateChange {
  from: PlayerState;
  to: PlayerState;
  /** Why, in plain words ("Play.Start received", "transport closed: ..."). */
  reason: string;
}

export class PlayerStateMachine {
  private value: PlayerState = 'idle';

  get state(): PlayerState {
    return this.value;
  }

  canMove(to: PlayerState): boolean {
    return ALLOWED[this.value].includes(to);
  }

  /** Moves to `to` and returns the change, or null when already there or the move is not allowed. */
  move(to: PlayerState, reason: string): StateChange | null {
    if (to === this.value || !this.canMove(to)) return null;
    const change = { from: this.value, to, reason };
    this.value = to;
    return change;
  }
}
