/** Inverted-dropout mask: 1/(1-rate) where kept (u >= rate, as tfjs's floor(u + keep)), else 0. */
export function fillDropoutMask(mask: Float32Array, rate: number, random: () => number): void {
  const scale = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = random() >= rate ? scale : 0;
}
