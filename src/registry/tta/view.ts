import type { Component } from '../component.js';
import type { Image } from '../augmentations/augmentation.js';

/** A deterministic test-time view of an image: changes it in place, the same way every time. */
export type View = (image: Image) => void;

/** A TTA entry (evaluate.tta) gives one or more views; predictions average the original and all of them. */
export type TtaComponent = Component<void, View[]>;
