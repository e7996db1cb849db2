import { ParamStore } from '../store';
import { enumParam } from '../url-state';
import type { LiveSettings } from '../../train/live-settings';

/** URL state of "Train it live", so a teacher can share a link with the settings for the class. */
const liveParams = {
  preset: enumParam(['classroom', 'shipped'] as const, 'classroom'),
  lr: enumParam(['0.0002', '0.0005', '0.001', '0.002', '0.01'] as const, '0.001'),
  batch: enumParam(['4', '8', '16', '32', '64'] as const, '32'),
  schedule: enumParam(['linear', 'cosine'] as const, 'linear'),
  T: enumParam(['1000', '500', '200'] as const, '1000'),
  every: enumParam(['25', '100', '250'] as const, '100'),
};

export const liveStore = new ParamStore(liveParams);

/** The typed settings the URL describes. */
export function liveSettings(): LiveSettings {
  const v = liveStore.values;
  return {
    preset: v.preset,
    lr: Number(v.lr),
    batch: Number(v.batch),
    schedule: v.schedule,
    T: Number(v.T),
    previewEvery: Number(v.every),
  };
}

/** Write settings (e.g. those of a resumed checkpoint) into the URL; values the URL cannot hold keep their old value. */
export function setLiveSettings(s: Partial<LiveSettings>): void {
  const pick = <K extends keyof typeof liveParams>(k: K, v: unknown) => {
    const parsed = v === undefined ? undefined : liveParams[k].parse(String(v));
    return parsed === undefined ? {} : { [k]: parsed };
  };
  liveStore.set({
    ...pick('preset', s.preset),
    ...pick('lr', s.lr),
    ...pick('batch', s.batch),
    ...pick('schedule', s.schedule),
    ...pick('T', s.T),
    ...pick('every', s.previewEvery),
  });
}
