import { describe, expect, it } from 'vitest';
import { classProbabilities, classProbability, decideClass, encodeLabels, headFor, headOfUnits, isHeadActivation } from '../../src/model/head.js';

describe('the classification head', () => {
  it('makes two classes one sigmoid unit for p(second class), trained with binary cross-entropy', () => {
    expect(headFor(2)).toEqual({
      classes: 2,
      units: 1,
      activation: 'sigmoid',
      loss: 'binary_crossentropy',
      positive: 1,
      layer: { type: 'dense', units: 1, activation: 'sigmoid', useBias: true },
    });
  });

  it('makes three or more classes a softmax over the classes with categorical cross-entropy and no positive class', () => {
    for (const k of [3, 5]) {
      expect(headFor(k)).toEqual({
        classes: k,
        units: k,
        activation: 'softmax',
        loss: 'categorical_crossentropy',
        positive: null,
        layer: { type: 'dense', units: k, activation: 'softmax', useBias: true },
      });
    }
  });

  it('reads the head back from the output width: one unit is the two-class head', () => {
    expect(headOfUnits(1)).toEqual(headFor(2));
    expect(headOfUnits(4)).toEqual(headFor(4));
  });

  it('encodes labels as 0/1 for one sigmoid unit and one-hot rows for softmax', () => {
    expect(Array.from(encodeLabels([1, 0, 1], headFor(2).units))).toEqual([1, 0, 1]);
    expect(Array.from(encodeLabels([2, 0], headFor(3).units))).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('gives every class a probability from one output row', () => {
    expect(classProbabilities([0.75])).toEqual([0.25, 0.75]);
    expect(classProbability([0.75], 0)).toBe(0.25);
    expect(classProbabilities([0.2, 0.5, 0.3])).toEqual([0.2, 0.5, 0.3]);
    expect(classProbability([0.2, 0.5, 0.3], 2)).toBe(0.3);
  });

  it('decides the positive class at p >= threshold with two classes, the most probable with more', () => {
    expect(decideClass([0.5])).toBe(1);
    expect(decideClass([0.49])).toBe(0);
    expect(decideClass([0.3], 0.25)).toBe(1);
    expect(decideClass([0.3], 0.35)).toBe(0);
    // with more classes the threshold plays no part; a tie goes to the lower index
    expect(decideClass([0.2, 0.5, 0.3], 0.9)).toBe(1);
    expect(decideClass([0.4, 0.2, 0.4])).toBe(0);
  });

  it('tells an output layer (dense sigmoid or softmax) from a hidden one', () => {
    expect(isHeadActivation('sigmoid')).toBe(true);
    expect(isHeadActivation('softmax')).toBe(true);
    expect(isHeadActivation('relu')).toBe(false);
    expect(isHeadActivation(undefined)).toBe(false);
  });
});
