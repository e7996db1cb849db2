import { LitElement, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MnistController } from '../controllers';
import { StoreController } from '../store';
import { liveStore, setLiveSettings } from './params';
import { backendReady } from '../../runtime/session';
import type { BackendInfo } from '../../runtime/backend';
import { panelStyles } from './panel-styles';
import '../../widgets/image-grid';
import '../../widgets/line-plot';
import type { LineSeries } from '../../widgets/line-plot';
import { PREVIEW_COUNT, TrainSession, type LiveSettings } from './session';
import { previewSamplerText } from '../../train/live-settings';
import { smooth } from '../../metrics/smooth';
import { download } from '../../widgets/download';

/**
 * Train a DDPM on real MNIST in the page: start / pause / step / reset, hyperparameters, live loss,
 * fixed-seed previews, throughput, memory, save / resume / export / import.
 */
@customElement('dl-train-panel')
export class DlTrainPanel extends LitElement {
  static override styles = panelStyles;

  readonly session = new TrainSession(this);

  /**
   * "pixel" (default): a DDPM on the MNIST pixels. "latent": the same settings train a DDPM on the
   * shipped autoencoder's latents of the training digits, and its samples are decoded.
   */
  @property()
  get space(): 'pixel' | 'latent' {
    return this.session.space;
  }
  set space(v: 'pixel' | 'latent') {
    this.session.space = v === 'latent' ? 'latent' : 'pixel';
  }
  private readonly params = new StoreController(this, liveStore);
  /** The training digits (read by probes and tests), fetched when a run first needs them. */
  readonly mnist = new MnistController(this, 'train', true);
  @state() private backend: BackendInfo | null = null;
  private started = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void backendReady().then((b) => (this.backend = b));
  }

  private set<K extends keyof LiveSettings>(k: K, v: LiveSettings[K]) {
    const s = this.session;
    const needsReset = k !== 'previewEvery' && s.hasModel;
    setLiveSettings({ [k]: v });
    if (needsReset) void s.reset();
  }

  /** The training digits, fetched on first use; null (and the reason in the status line) if they fail. */
  private async digits() {
    try {
      return await this.mnist.load();
    } catch {
      return null;
    }
  }

  private async onStart() {
    const d = await this.digits();
    if (!d) return;
    if (!this.started) this.started = performance.now();
    await this.session.start(d);
  }

  private async onExport() {
    const f = await this.session.exportFiles(); // null (and the reason shown) when it failed
    if (!f) return;
    download('model.json', JSON.stringify(f.json), 'application/json');
    download('weights.bin', f.bin as BlobPart, 'application/octet-stream');
  }

  private async onImport(e: Event) {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    const d = await this.digits();
    if (!d) return;
    const json = files.find((f) => f.name.endsWith('.json'));
    const bin = files.find((f) => !f.name.endsWith('.json'));
    if (!json || !bin) {
      this.session.error = 'Choose both files together: model.json and weights.bin.';
      this.requestUpdate();
      return;
    }
    await this.session.importFiles(d, json, bin); // reads the files; any failure is shown in the panel
  }

  private select<K extends keyof LiveSettings>(k: K, label: string, options: [LiveSettings[K], string][]) {
    const v = this.session.settings[k];
    return html`<label
      >${label}
      <select
        class=${k}
        ?disabled=${this.session.running}
        @change=${(e: Event) => this.set(k, options[(e.target as HTMLSelectElement).selectedIndex]![0])}
      >
        ${options.map(([o, text]) => html`<option ?selected=${o === v}>${text}</option>`)}
      </select></label
    >`;
  }

  /** Delete the run saved in this browser, after saying what will be lost (`ask` is replaceable in tests). */
  async onForget(ask: (text: string) => boolean = (t) => confirm(t)): Promise<void> {
    const s = this.session;
    if (s.savedStep === null) return;
    const text = `Delete the run saved in this browser (step ${s.savedStep})? It cannot be resumed afterwards; "Download weights" keeps a copy.`;
    if (!ask(text)) return;
    await s.forgetSaved();
  }

  override render() {
    const s = this.session;
    const tr = s.hasModel;
    const busy = this.mnist.fetching || s.running; // the digits are on their way, or a run is going
    const steps = s.step;
    const mem = s.memory();
    const xs = s.losses.map(([x]) => x);
    const ys = s.losses.map(([, y]) => y);
    const series: LineSeries[] = [
      { name: 'loss (every 2 steps)', x: xs, y: ys, strong: false },
      { name: 'smoothed', x: xs, y: smooth(ys) },
    ];
    const batch = s.settings.batch;
    return html`
      <div class="live">
        live · trains in your browser on
        ${this.backend?.name ?? '…'}${this.space === 'latent' ? ' · in latent space' : ''}
      </div>
      <fieldset>
        <legend>Settings (changing one starts a new model)</legend>
        <div class="row">
          ${this.select('preset', 'network', [
            ['classroom', 'classroom (0.29M params)'],
            ['shipped', 'shipped size (1.15M)'],
          ])}
          ${this.select('lr', 'learning rate', [
            [2e-4, '2e-4'],
            [5e-4, '5e-4'],
            [1e-3, '1e-3'],
            [2e-3, '2e-3'],
            [1e-2, '1e-2'],
          ])}
          ${this.select('batch', 'batch', [
            [4, '4'],
            [8, '8'],
            [16, '16'],
            [32, '32'],
            [64, '64'],
          ])}
          ${this.select('schedule', 'schedule', [
            ['linear', 'linear'],
            ['cosine', 'cosine'],
          ])}
          ${this.select('T', 'T', [
            [1000, '1000'],
            [500, '500'],
            [200, '200'],
          ])}
          ${this.select('previewEvery', 'preview every', [
            [25, '25 steps'],
            [100, '100 steps'],
            [250, '250 steps'],
          ])}
        </div>
      </fieldset>
      <div class="row">
        <button
          type="button"
          class="start"
          aria-pressed=${s.running}
          ?disabled=${this.mnist.fetching}
          @click=${() => (s.running ? s.pause() : void this.onStart())}
        >
          ${s.running ? '❚❚ Pause' : steps ? '▶ Continue' : '▶ Start training'}
        </button>
        <button
          type="button"
          class="step"
          ?disabled=${busy}
          @click=${() => void this.digits().then((d) => d && s.step1(d))}
        >
          Step
        </button>
        <button type="button" class="reset" ?disabled=${!tr} @click=${() => void s.reset()}>Reset</button>
        <button
          type="button"
          class="sample"
          ?disabled=${!tr || s.previewBusy}
          @click=${() => s.makePreview()}
        >
          Sample now
        </button>
      </div>
      <div class="row">
        <button type="button" class="save" ?disabled=${!tr || s.running} @click=${() => s.saveToBrowser()}>
          Save in this browser
        </button>
        <button
          type="button"
          class="resume"
          ?disabled=${busy || s.savedStep === null}
          @click=${() => void this.digits().then((d) => d && s.loadFromBrowser(d))}
        >
          Resume saved${s.savedStep !== null ? ` (step ${s.savedStep})` : ''}
        </button>
        <button
          type="button"
          class="forget"
          ?disabled=${s.running || s.savedStep === null}
          @click=${() => void this.onForget()}
        >
          Forget the saved run
        </button>
        <button
          type="button"
          class="export"
          ?disabled=${!tr || s.running}
          @click=${() => void this.onExport()}
        >
          Download weights
        </button>
        <label
          >Load weights
          <input
            type="file"
            class="import"
            multiple
            accept=".json,.bin"
            ?disabled=${busy}
            @change=${(e: Event) => void this.onImport(e)}
        /></label>
      </div>
      ${
        this.mnist.status()
          ? html`<p class=${this.mnist.error ? 'error' : 'status'} role="status">${this.mnist.status()}</p>`
          : nothing
      }
      ${
        s.encoding
          ? html`<p class="status" role="status">
              Encoding the training digits with the autoencoder: ${s.encoding.done.toLocaleString('en')} /
              ${s.encoding.total.toLocaleString('en')}
              <progress value=${s.encoding.done / s.encoding.total} aria-label="digits encoded"></progress>
            </p>`
          : nothing
      }
      ${s.error ? html`<p class="error" role="alert">${s.error}</p>` : nothing}
      ${s.message && !s.error ? html`<p class="status" role="status">${s.message}</p>` : nothing}
      <div class="grid">
        <div>
          ${
            s.losses.length
              ? html`<dl-line-plot
                  .series=${series}
                  yType="log"
                  xLabel="step"
                  yLabel="loss"
                  label="training loss against step, log scale"
                ></dl-line-plot>`
              : html`<p class="note">The loss chart appears after the first steps.</p>`
          }
          <dl>
            <dt>step</dt>
            <dd class="steps">${steps.toLocaleString('en')}</dd>
            <dt>speed</dt>
            <dd>
              ${s.stepsPerSecond.toFixed(2)} steps/s · ${(s.stepsPerSecond * batch).toFixed(1)} images/s
            </dd>
            <dt>training time</dt>
            <dd>${(s.wallSeconds / 60).toFixed(1)} min</dd>
            <dt>backend</dt>
            <dd>${this.backend ? `${this.backend.name} (${this.backend.device})` : '…'}</dd>
            <dt>worker memory</dt>
            <dd>${mem ? `${mem.tensors} tensors, ${mem.mb.toFixed(1)} MB` : '…'}</dd>
            <dt>page stalls</dt>
            <dd>${s.longTasks} tasks over 50 ms</dd>
          </dl>
        </div>
        <figure style="margin:0">
          ${
            s.preview
              ? html`<dl-image-grid
                  class="preview"
                  .data=${s.preview}
                  .count=${PREVIEW_COUNT}
                  columns="4"
                  label="16 samples from fixed seeds at step ${s.previewStep}"
                ></dl-image-grid>`
              : nothing
          }
          <figcaption class="note">
            ${s.preview ? `Samples at step ${s.previewStep}, same 16 seeds every time (EMA weights, ${previewSamplerText(s.space)}${s.space === 'latent' ? ', decoded' : ''})` : `Samples appear after a few seconds, then every ${s.settings.previewEvery} steps.`}
            ${s.previewBusy ? ' · sampling…' : ''}
          </figcaption>
        </figure>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dl-train-panel': DlTrainPanel;
  }
}
