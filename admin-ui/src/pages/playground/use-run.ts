import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunProgress, RunResult } from '../../api/playground';

export type RunStatus = 'idle' | 'running' | 'done' | 'error' | 'stopped';

export interface RunState {
  status: RunStatus;
  text: string;
  reasoning: string;
  result: RunResult | null;
  error: string | null;
}

const IDLE: RunState = { status: 'idle', text: '', reasoning: '', result: null, error: null };

type Runner = (signal: AbortSignal, onProgress: (p: RunProgress) => void) => Promise<RunResult>;

/** One playground request at a time, abortable, with its streamed text and final metrics. */
export function useRun() {
  const [state, setState] = useState<RunState>(IDLE);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback(async (runner: Runner) => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setState({ ...IDLE, status: 'running' });
    try {
      const result = await runner(abort.signal, (progress) => {
        if (!abort.signal.aborted) setState((s) => ({ ...s, text: progress.text, reasoning: progress.reasoning }));
      });
      if (!abort.signal.aborted) {
        setState({ status: 'done', text: result.text, reasoning: result.reasoning, result, error: null });
      }
    } catch (error) {
      if (abort.signal.aborted) {
        setState((s) => ({ ...s, status: 'stopped' }));
        return;
      }
      setState((s) => ({ ...s, status: 'error', error: error instanceof Error ? error.message : String(error) }));
    }
  }, []);

  const stop = useCallback(() => controller.current?.abort(), []);
  const reset = useCallback(() => setState(IDLE), []);

  return { state, start, stop, reset };
}
