import * as tf from '@tensorflow/tfjs';

/**
 * hard_sigmoid(x) = relu6(x + 3) / 6 and hard_swish(x) = x * hard_sigmoid(x), as MobileNetV3,
 * PyTorch and Keras 3 define them (tfjs's own 'hardSigmoid' is Keras 2's clip(0.2x + 0.5)).
 */
export class HardActivation extends tf.layers.Layer {
  static readonly className = 'ExpHardActivation';

  constructor(readonly fn: 'hard_sigmoid' | 'hard_swish') {
    super({});
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const gate = tf.div(tf.relu6(tf.add(x, 3)), 6);
      return this.fn === 'hard_sigmoid' ? gate : tf.mul(x, gate);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), fn: this.fn };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(_cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new HardActivation(config.fn as 'hard_sigmoid' | 'hard_swish') as unknown as T;
  }
}
tf.serialization.registerClass(HardActivation);
