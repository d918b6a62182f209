// assets/lesson_move.js: the step a click of the lesson's Next or Back asks for.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const {nextMove} = require("../../assets/lesson_move.js");

const shown = (step, seq) => ({open: true, step, seq, steps: 13});

test("a click counts from the step shown once the last move has been answered", () => {
    assert.deepEqual(nextMove(1, shown(3, 7), null), {step: 4, from: 7});
    assert.deepEqual(nextMove(-1, shown(3, 7), null), {step: 2, from: 7});
    // the move made from seq 7 was answered: the state is now seq 8
    assert.deepEqual(nextMove(1, shown(4, 8), {step: 4, from: 7}), {step: 5, from: 8});
});

test("quick clicks before the answer count from the move, not from the step shown", () => {
    let move = null;
    for (let i = 0; i < 3; i++) move = nextMove(1, shown(3, 7), move);
    assert.deepEqual(move, {step: 6, from: 7});
    move = nextMove(-1, shown(3, 7), move);
    assert.deepEqual(move, {step: 5, from: 7});
});

test("a state changed by anything else (a link, Reset) is counted from again", () => {
    // a class link set step 9 (seq 8) while a move from seq 7 was still waiting
    assert.deepEqual(nextMove(1, shown(9, 8), {step: 6, from: 7}), {step: 10, from: 8});
});

test("moves stay within the lesson's steps", () => {
    assert.deepEqual(nextMove(1, shown(13, 2), null), {step: 13, from: 2});
    assert.deepEqual(nextMove(-1, shown(1, 2), null), {step: 1, from: 2});
    let move = null;
    for (let i = 0; i < 20; i++) move = nextMove(1, shown(12, 2), move);
    assert.equal(move.step, 13);
});

test("the layout's first state and broken values are read as step 1 of 1 at seq 0", () => {
    assert.deepEqual(nextMove(1, {open: false, step: 1}, null), {step: 1, from: 0});
    assert.deepEqual(nextMove(1, {step: 1, steps: 13}, null), {step: 2, from: 0});
    assert.deepEqual(nextMove(1, null, undefined), {step: 1, from: 0});
    assert.deepEqual(nextMove(1, {step: "x", seq: NaN, steps: 13}, {step: null, from: "0"}), {step: 2, from: 0});
});
