import type { PageReport, RedeemResponse } from '@sightline/shared';
import { api, ApiError } from '../common/api.js';
import { $, type CallerUi } from './CallerUi.js';
import { isWholeCode, spokenDigits } from './spokenCode.js';

/**
 * `/c`: the caller types the spoken code the dispatcher read out. The field has the focus at once,
 * takes the code as it is read aloud ("649 780", "649-780") and sends it by itself at the sixth
 * digit, but never before the centre's recording policy is on the screen: the code's redemption is
 * the consent. `redeemed` is called with the redemption; `failed` with anything but a wrong code.
 */
export function wireCodeEntry(ui: CallerUi, report: PageReport, redeemed: (r: RedeemResponse) => void, failed: (err: unknown) => void): void {
  const form = $<HTMLFormElement>('code-form');
  const input = $<HTMLInputElement>('code');
  const submit = form.querySelector('button')!;
  form.hidden = false;
  input.focus();
  submit.disabled = true;
  let sending = false;
  const policyShown = api('GET /api/recording-policy')
    .then(({ recording, centre }) => {
      ui.setRecording(recording);
      ui.setCentre(centre);
    })
    // Offline: the redeem fails as well and says so; the page must not claim less recording than may happen.
    .catch(() => ui.setRecording('always'))
    .finally(() => (submit.disabled = false));

  const send = async () => {
    if (sending) return;
    sending = true;
    submit.disabled = true;
    await policyShown;
    try {
      // The page's report rides on the redemption: before it, this page knew no session to report to.
      const r = await api('POST /api/codes/redeem', { body: { code: spokenDigits(input.value), browser: report } });
      form.hidden = true;
      redeemed(r);
    } catch (err) {
      // A wrong or spent code is the caller's to fix; anything else (too many tries, no network) is said as such.
      const wrong = err instanceof ApiError && (err.status === 404 || err.status === 410);
      if (wrong) ui.setStatus('error', (t) => t.codeWrong, 'code_wrong');
      else failed(err);
      // Typing again replaces the code that was refused.
      input.select();
    } finally {
      sending = false;
      submit.disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void send();
  });
  input.addEventListener('input', () => isWholeCode(input.value) && void send());
}
