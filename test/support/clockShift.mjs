// Preloaded with `node --import` (NODE_OPTIONS) into a Sightline process under test: moves that
// process's clock SIGHTLINE_TEST_CLOCK_SHIFT_MS ahead, so a retention run can be "40 days later"
// without waiting, while the product code runs unchanged. Only Date is moved (the timers are not).
const shiftMs = Number(process.env.SIGHTLINE_TEST_CLOCK_SHIFT_MS ?? 0);
const RealDate = globalThis.Date;

class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + shiftMs);
    else super(...args);
  }

  static now() {
    return RealDate.now() + shiftMs;
  }
}

if (shiftMs) globalThis.Date = ShiftedDate;
