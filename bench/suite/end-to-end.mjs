#!/usr/bin/env node
// The whole command, as a user times it: `mfrec train` on S1's training
// split written as text ("user item rating", the file of bench/suite/libmf.mjs),
// read, laid out, trained and saved, alternating with LIBMF's `mf-train` on
// the same file, --runs times each, so a change in the machine's load hits
// both. Medians of wall time, and where the time goes:
//
//   mfrec  its own phases (`mfrec train --json`: read, layout, epochs, save).
//   LIBMF  it prints no times: its epochs are (median wall of E-epoch runs −
//          median wall of 1-epoch runs) × E / (E − 1), the rest (reading the
//          text, its layout, saving) is the wall time minus those, from the
//          extra 1-epoch runs (they alternate too).
//
// LIBMF is not part of this project: build it outside the repository and
// point --libmf (or MFREC_LIBMF) at the folder holding mf-train. Without it
// only mfrec's runs are reported. --baseline DIR also times another built
// copy of mfrec (an older commit) in the same alternation, to compare builds.
//
//   node bench/suite/end-to-end.mjs [--libmf DIR] [--baseline DIR] [--quick] [--factors 64] [--iterations 6] [--threads 2] [--runs 3] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { benchDir, log, median, repoRoot, runScript } from '../lib/common.mjs';
import { sizesFor } from '../lib/datasets.mjs';
import { writeLibmf } from './libmf.mjs';
import { s1Split } from './sgd.mjs';

/** S1's training split as LIBMF text, written once (the same file libmf.mjs trains on). */
async function trainText(quick) {
  const file = path.join(benchDir, '.data', `libmf-train-n${sizesFor(quick).s1.ratings}.txt`);
  if (!existsSync(file)) {
    log('writing the S1 training split as text...');
    await writeLibmf((await s1Split(quick)).train, file);
  }
  return file;
}

const TIME = '/usr/bin/time';

/**
 * Wall seconds of a child process, and its CPU seconds (user + system, all
 * threads) when /usr/bin/time is there: on a shared machine the CPU time
 * moves much less than the wall time with the other jobs' load.
 */
function wall(command, args) {
  const timed = existsSync(TIME);
  const start = performance.now();
  const out = spawnSync(timed ? TIME : command, timed ? ['-f', 'cpu %U %S', command, ...args] : args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - start) / 1000;
  if (out.status !== 0) throw new Error(`${path.basename(command)} exited with ${out.status}: ${out.stderr.trim().split('\n').pop()}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(out.stderr);
  return { seconds, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, stdout: out.stdout };
}

const PHASES = ['read', 'layout', 'epochs', 'save'];

export async function measure(flags) {
  const quick = Boolean(flags.quick);
  const dir = flags.libmf ?? process.env.MFREC_LIBMF;
  const libmf = dir && dir !== true ? dir : undefined;
  const factors = Number(flags.factors ?? 64);
  const iterations = Number(flags.iterations ?? 6);
  const threads = Number(flags.threads ?? 2);
  const runs = Number(flags.runs ?? 3);
  const file = await trainText(quick);
  const ourModel = path.join(benchDir, '.data', `end-to-end-${process.pid}.mfrec`);
  const theirModel = path.join(benchDir, '.data', `end-to-end-${process.pid}.libmf`);
  const baseline = flags.baseline && flags.baseline !== true ? path.resolve(flags.baseline) : undefined;
  const ours = [];
  const before = [];
  const theirs = [];
  const theirOnes = [];
  try {
    for (let r = 0; r < runs; r++) {
      const args = ['train', file, '--model', 'explicit', '--factors', factors, '--iterations', iterations, '--threads', threads];
      const mfrec = (root, into, label) => {
        const run = wall(process.execPath, [path.join(root, 'bin', 'mfrec.js'), ...args.map(String), '--out', ourModel, '--json']);
        const summary = JSON.parse(run.stdout);
        into.push({ seconds: run.seconds, cpu: run.cpu, phases: summary.phases });
        log(`${label} ${run.seconds.toFixed(2)} s, CPU ${run.cpu.toFixed(2)} s (${PHASES.map((p) => `${p} ${summary.phases[p].toFixed(2)}`).join(', ')})`);
      };
      mfrec(repoRoot, ours, 'mfrec');
      if (baseline) mfrec(baseline, before, 'baseline');
      if (!libmf) continue;
      const train = (epochs) => wall(path.join(libmf, 'mf-train'), ['-k', factors, '-t', epochs, '-s', threads, '--quiet', file, theirModel].map(String));
      theirs.push(train(iterations));
      theirOnes.push(train(1));
      log(`LIBMF ${theirs.at(-1).seconds.toFixed(2)} s, CPU ${theirs.at(-1).cpu.toFixed(2)} s (1 epoch: ${theirOnes.at(-1).seconds.toFixed(2)} s)`);
    }
  } finally {
    rmSync(ourModel, { force: true });
    rmSync(theirModel, { force: true });
  }
  const list = (xs) => xs.map((x) => x.toFixed(2)).join(', ');
  const ourWall = median(ours.map((x) => x.seconds));
  const ourCpu = median(ours.map((x) => x.cpu));
  const rows = [
    {
      id: `e2e.mfrec.k${factors}.t${threads}`,
      what: `mfrec train, whole command, k=${factors}, ${iterations} epochs, ${threads} threads`,
      value: ourWall,
      unit: 's',
      note: `median of ${runs}: ${list(ours.map((x) => x.seconds))}`,
    },
    { id: 'e2e.mfrec.cpu', what: 'mfrec train, CPU seconds (all threads)', value: ourCpu, unit: 's', note: list(ours.map((x) => x.cpu)) },
    ...PHASES.map((p) => ({
      id: `e2e.mfrec.${p}`,
      what: `mfrec phase: ${p}`,
      value: median(ours.map((x) => x.phases[p])),
      unit: 's',
      note: `median of ${runs}: ${list(ours.map((x) => x.phases[p]))}`,
    })),
  ];
  if (baseline) {
    const beforeWall = median(before.map((x) => x.seconds));
    rows.push(
      { id: 'e2e.baseline', what: `baseline build (${baseline}), whole command`, value: beforeWall, unit: 's', note: list(before.map((x) => x.seconds)) },
      { id: 'e2e.baseline.cpu', what: 'baseline build, CPU seconds', value: median(before.map((x) => x.cpu)), unit: 's', note: list(before.map((x) => x.cpu)) },
      ...PHASES.map((p) => ({
        id: `e2e.baseline.${p}`,
        what: `baseline phase: ${p}`,
        value: median(before.map((x) => x.phases[p])),
        unit: 's',
        note: list(before.map((x) => x.phases[p])),
      })),
      { id: 'e2e.ratio.baseline', what: 'mfrec / baseline build, whole command', value: ourWall / beforeWall, unit: '×', note: 'medians of wall time' },
    );
  }
  if (libmf) {
    const theirWall = median(theirs.map((x) => x.seconds));
    const theirCpu = median(theirs.map((x) => x.cpu));
    const epochs = ((theirWall - median(theirOnes.map((x) => x.seconds))) * iterations) / (iterations - 1);
    rows.push(
      {
        id: `e2e.libmf.k${factors}.t${threads}`,
        what: 'LIBMF mf-train, whole command, same file and flags',
        value: theirWall,
        unit: 's',
        note: `median of ${runs}: ${list(theirs.map((x) => x.seconds))}`,
      },
      { id: 'e2e.libmf.cpu', what: 'LIBMF mf-train, CPU seconds (all threads)', value: theirCpu, unit: 's', note: list(theirs.map((x) => x.cpu)) },
      {
        id: 'e2e.libmf.epochs',
        what: 'LIBMF phase: epochs (from 1-epoch runs)',
        value: epochs,
        unit: 's',
        note: `1-epoch runs: ${list(theirOnes.map((x) => x.seconds))}`,
      },
      { id: 'e2e.libmf.rest', what: 'LIBMF phase: read + layout + save', value: theirWall - epochs, unit: 's', note: 'wall time minus epochs' },
      {
        id: 'e2e.ratio',
        what: 'mfrec / LIBMF, whole command (target ≤ 0.5)',
        value: ourWall / theirWall,
        unit: '×',
        note: 'medians of wall time, alternating runs',
      },
      { id: 'e2e.ratio.cpu', what: 'mfrec / LIBMF, CPU seconds', value: ourCpu / theirCpu, unit: '×', note: 'medians' },
    );
  }
  return { name: 'End to end (train command)', data: `${path.relative(repoRoot, file)}: S1's training split as text`, rows };
}

await runScript(import.meta.url, ['libmf', 'baseline', 'factors', 'iterations', 'threads', 'runs'], measure);
