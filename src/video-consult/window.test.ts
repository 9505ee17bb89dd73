import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canJoinNow, JOIN_BEFORE_MS, STAY_AFTER_MS, videoWindow } from './window.js';

const start = new Date('2026-12-08T08:30:00Z');
const end = new Date('2026-12-08T08:40:00Z');
const booked = { status: 'booked', video: true, start, end };
const at = (ms: number) => new Date(ms);

test('[LU-1] the room opens 10 minutes before the start and closes 15 minutes after the end', () => {
  const w = videoWindow({ start, end });
  assert.equal(w.opens.toISOString(), '2026-12-08T08:20:00.000Z');
  assert.equal(w.closes.toISOString(), '2026-12-08T08:55:00.000Z');
  assert.equal(canJoinNow(booked, at(start.getTime() - JOIN_BEFORE_MS - 1)), false);
  assert.equal(canJoinNow(booked, at(start.getTime() - JOIN_BEFORE_MS)), true);
  assert.equal(canJoinNow(booked, at(end.getTime() + STAY_AFTER_MS - 1)), true);
  assert.equal(canJoinNow(booked, at(end.getTime() + STAY_AFTER_MS)), false);
});

test('[LU-1] only a booked video appointment has a room', () => {
  const now = at(start.getTime());
  for (const status of ['requested', 'cancelled', 'refused'])
    assert.equal(canJoinNow({ ...booked, status }, now), false);
  assert.equal(canJoinNow({ ...booked, video: false }, now), false);
  assert.equal(canJoinNow(booked, now), true);
});
