// Steady-state training throughput of the ONNX engine for one model/size; prints one JSON line.
// Build + run: see bench/compare.sh (tsc into bench/out, then node).
import { compileTrainer } from '../src/engine/onnx/trainer.js';
import { mulberry32 } from '../src/data/rng.js';
import { benchModel } from './models.js';

async function main(): Promise<void> {
  const [model = 'cnn2', sizeArg = '128', batchArg = '32', stepsArg = '20'] = process.argv.slice(2);
  const size = Number(sizeArg);
  const batch = Number(batchArg);
  const steps = Number(stepsArg);
  const spec = benchModel(model, size);
  const trainer = await compileTrainer(spec, { batchSize: batch, loss: 'binary_crossentropy', optimizer: { name: 'adam', lr: 1e-3 }, seed: 1 });
  const random = mulberry32(2);
  const x = Float32Array.from({ length: batch * size * size }, () => random());
  const y = Float32Array.from({ length: batch }, () => (random() < 0.5 ? 0 : 1));
  const warmup = 3;
  const times: number[] = [];
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < warmup + steps; i++) {
    if (i === warmup) cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await trainer.trainStep(x, y);
    if (i >= warmup) times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const total = times.reduce((a, b) => a + b, 0);
  await trainer.dispose();
  console.log(JSON.stringify({
    engine: 'onnx', model, size, batch, steps,
    imgPerSec: (batch * steps * 1000) / total,
    medianStepMs: median,
    // CPU time (all threads) per image: less sensitive than wall time to other load on a shared machine.
    cpuMsPerImage: (cpu.user + cpu.system) / 1000 / (batch * steps),
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }));
}

await main();
