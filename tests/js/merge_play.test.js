// assets/merge_play.js: play, pause and the steps of playing, in the browser.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {togglePlay, playTick} = require("../../assets/merge_play.js");

test("play starts from where the step is, and pause keeps the step", () => {
    assert.deepEqual(togglePlay(true, 5, 148), {paused: false, step: null});
    assert.deepEqual(togglePlay(undefined, 5, 148), {paused: false, step: null});  // the layout's timer
    assert.deepEqual(togglePlay(false, 7, 148), {paused: true, step: null});
});

test("play at the last merge starts again from the first", () => {
    assert.deepEqual(togglePlay(true, 148, 148), {paused: false, step: 0});
    assert.deepEqual(togglePlay(true, 200, 148), {paused: false, step: 0});
});

test("a tick moves one merge, and pauses at the last", () => {
    assert.deepEqual(playTick(false, 5, 148), {paused: false, step: 6});
    assert.deepEqual(playTick(false, 147, 148), {paused: true, step: 148});
    assert.deepEqual(playTick(false, 148, 148), {paused: true, step: 148});
});

test("a tick while paused does nothing: the pause holds", () => {
    for (const disabled of [true, null, undefined]) {
        assert.equal(playTick(disabled, 5, 148), null);
    }
});

test("a step or last the page cannot have is read as 0", () => {
    assert.deepEqual(playTick(false, "7", 148), {paused: false, step: 1});
    assert.deepEqual(playTick(false, 3, null), {paused: true, step: 0});
    assert.deepEqual(togglePlay(true, NaN, 10), {paused: false, step: null});
});
