import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import { openSharedStore, startPaymentsHarness, type PaymentsHarness } from './harness.js';

const MINUTE = 60_000;

describe('payments: one link per order, reconciliation, news told once', () => {
  let store: Store;
  let h: PaymentsHarness | undefined;
  beforeAll(async () => {
    store = await openSharedStore();
  });
  afterAll(() => store.close());
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends the link with the order total, then a webhook makes it paid once and everyone is told once', async () => {
    h = await startPaymentsHarness({ store });
    const order = await h.order();
    expect(await h.payments.startPayment(h.toPay(order))).toEqual({ kind: 'link', provider: 'Wave', orderNumber: order.number, amountFcfa: 47_000 });
    expect(h.payments.offerFor(order.orderId)).toMatchObject({ kind: 'link' });
    const [link] = h.sent;
    const session = [...h.wave.sessions.values()][0]!;
    expect(link).toEqual({
      chatId: h.customer.chatId,
      text: `💳 Commande n°${order.number} : 47 000 FCFA à régler.\nPayez maintenant par Wave juste en dessous, ou en espèces à la livraison si vous préférez.`,
      link: { label: 'Payer 47 000 FCFA', url: session.wave_launch_url },
    });
    expect(session.amount).toBe('47000');

    const payment = (await h.store.findPayment({ orderId: order.orderId }))!;
    await h.wave.pay(session.id, { webhook: false });
    await h.payments.notified('wave', { eventId: 'AE_1', reference: payment.reference });
    await h.payments.notified('wave', { eventId: 'AE_1', reference: payment.reference });
    await h.payments.notified('wave', { eventId: 'AE_2', reference: payment.reference });
    await h.payments.poll();
    expect(h.customerTexts().slice(1)).toEqual([`Paiement reçu ✅ — 47 000 FCFA, commande n°${order.number}. Merci ! Nous préparons votre livraison.`]);
    expect(h.ownerTexts()).toEqual([`💰 Paiement reçu — commande n°${order.number} : 47 000 FCFA par Wave (réf. ${payment.reference}).`]);
    expect(await h.store.findPayment({ orderId: order.orderId })).toMatchObject({ status: 'paid', notifiedStatus: 'paid', receivedAmount: 47_000 });
    // The first notification asked Wave; the repeat of AE_1 and the settled payment did not.
    expect(h.wave.calls.filter((call) => call.startsWith('GET'))).toHaveLength(1);
  });

  it('a late "payment failed" after the payment changes nothing, and a notification names no payment of ours', async () => {
    h = await startPaymentsHarness({ store });
    const order = await h.order();
    await h.payments.startPayment(h.toPay(order));
    const payment = (await h.store.findPayment({ orderId: order.orderId }))!;
    await h.wave.pay(payment.providerRef!, { webhook: false });
    await h.payments.notified('wave', { eventId: 'AE_ok', reference: payment.reference });
    await h.wave.failAttempt(payment.providerRef!, { webhook: false });
    await h.payments.notified('wave', { eventId: 'AE_late_failure', reference: payment.reference });
    await h.payments.notified('wave', { eventId: 'AE_other', reference: 'AKW-1-unknown' });
    await h.payments.notified('cinetpay', { eventId: 'x', reference: payment.reference });
    await h.payments.notified('wave', { eventId: 'AE_test' });
    expect(await h.store.findPayment({ orderId: order.orderId })).toMatchObject({ status: 'paid' });
    expect(h.customerTexts().filter((text) => text.startsWith('Paiement reçu'))).toHaveLength(1);
  });

  it('webhook lost: the poller finds the payment on its backoff, and not before its time', async () => {
    h = await startPaymentsHarness({ store });
    const order = await h.order();
    await h.payments.startPayment(h.toPay(order));
    const payment = (await h.store.findPayment({ orderId: order.orderId }))!;
    expect(payment.nextCheckAt).toBe(h.now() + MINUTE);
    const reads = () => h!.wave.calls.filter((call) => call.startsWith('GET')).length;

    await h.payments.poll();
    expect(reads()).toBe(0);
    h.advance(MINUTE);
    await h.payments.poll();
    expect(reads()).toBe(1);
    // still pending: the next check backs off to 2 minutes, then 4
    expect(await h.store.findPayment({ id: payment.id })).toMatchObject({ checks: 1, nextCheckAt: h.now() + 2 * MINUTE });
    h.advance(2 * MINUTE);
    await h.payments.poll();
    expect(await h.store.findPayment({ id: payment.id })).toMatchObject({ checks: 2, nextCheckAt: h.now() + 4 * MINUTE });

    await h.wave.pay(payment.providerRef!, { webhook: false });
    h.advance(MINUTE);
    await h.payments.poll();
    expect(reads()).toBe(2);
    h.advance(3 * MINUTE);
    await h.payments.poll();
    expect(await h.store.findPayment({ id: payment.id })).toMatchObject({ status: 'paid' });
    expect(h.customerTexts().at(-1)).toMatch(/^Paiement reçu ✅ — 47 000 FCFA/);
  });

  it('an unpaid link expires after its grace, quietly: cash on delivery stays open', async () => {
    h = await startPaymentsHarness({ store, provider: 'cinetpay', timing: { linkValidMs: 20 * MINUTE, expiryGraceMs: 5 * MINUTE } });
    const order = await h.order();
    await h.payments.startPayment(h.toPay(order));
    const payment = (await h.store.findPayment({ orderId: order.orderId }))!;
    expect(payment.expiresAt).toBe(h.now() + 20 * MINUTE);
    for (let minute = 0; minute < 40; minute += 1) {
      h.advance(MINUTE);
      await h.payments.poll();
    }
    const expired = (await h.store.findPayment({ id: payment.id }))!;
    expect(expired).toMatchObject({ status: 'expired', detail: 'lien expiré sans paiement' });
    // after 1 minute, then 2, 4 and 8 minutes apart, then right after expiry + grace
    expect(h.cinetpay.calls.filter((call) => call.startsWith('check'))).toHaveLength(5);
    expect(h.customerTexts()).toHaveLength(1);
  });

  it('an amount that is not the order\'s goes to the owner\'s review, never paid', async () => {
    h = await startPaymentsHarness({ store });
    const paidSoFar = async () => (await store.paymentTotals({ from: 0, to: Date.now() + MINUTE })).reduce((sum, day) => sum + day.paidFcfa, 0);
    const before = await paidSoFar();
    const order = await h.order();
    await h.payments.startPayment(h.toPay(order));
    const payment = (await h.store.findPayment({ orderId: order.orderId }))!;
    await h.wave.pay(payment.providerRef!, { amount: '4700', webhook: false });
    await h.payments.notified('wave', { eventId: 'AE_short', reference: payment.reference });
    expect(await h.store.findPayment({ id: payment.id })).toMatchObject({ status: 'review', receivedAmount: 4700 });
    expect(h.ownerTexts()).toEqual([
      `⚠️ Paiement à vérifier — commande n°${order.number} : montant reçu 4700 XOF, attendu 47000 XOF (Wave, réf. ${payment.reference}). Il n'est pas compté comme payé : voyez le tableau de bord.`,
    ]);
    expect(h.customerTexts().at(-1)).toMatch(/ne correspond pas au total de 47 000 FCFA/);
    expect(h.customerTexts().some((text) => text.startsWith('Paiement reçu'))).toBe(false);
    expect(await paidSoFar()).toBe(before);
    // the owner accepts it after calling the customer
    await h.payments.settleByOwner(payment.id, 'paid');
    expect(h.customerTexts().at(-1)).toMatch(/^Paiement reçu ✅/);
    expect(await paidSoFar()).toBe(before + 47_000);
  });

  it('"j\'ai payé" asks the provider at once, and answers from what it says', async () => {
    h = await startPaymentsHarness({ store, provider: 'cinetpay' });
    expect((await h.payments.checkForCustomer(h.customer)).answer).toMatch(/^Je ne trouve pas de paiement en ligne/);
    const order = await h.order();
    await h.payments.startPayment(h.toPay(order));
    const payment = (await h.store.findPayment({ orderId: order.orderId }))!;
    const early = await h.payments.checkForCustomer(h.customer);
    expect(early.answer).toBe(
      `Je ne vois pas encore votre paiement de 47 000 FCFA pour la commande n°${order.number} chez Orange Money, MTN, Moov, Wave ou carte. S'il vient d'être fait, il peut prendre une minute : je vous préviens ici dès qu'il arrive.`,
    );
    expect((await h.store.findPayment({ id: payment.id }))!.nextCheckAt).toBe(h.now() + 30_000);
    h.cinetpay.failNext('check', { status: 503 });
    expect((await h.payments.checkForCustomer(h.customer)).answer).toBe(
      "Je n'arrive pas à vérifier votre paiement pour le moment 🙏 Je réessaie et je vous préviens ici dès qu'il est confirmé.",
    );
    await h.cinetpay.pay(payment.reference, { notify: false });
    const paid = await h.payments.checkForCustomer(h.customer);
    expect(paid.answer).toBe(`C'est bien reçu ✅ Votre paiement de 47 000 FCFA pour la commande n°${order.number} est confirmé. Merci !`);
    // the news went out before the answer, once
    expect(h.customerTexts().at(-1)).toMatch(/^Paiement reçu ✅/);
    await h.payments.checkForCustomer(h.customer);
    expect(h.customerTexts().filter((text) => text.startsWith('Paiement reçu'))).toHaveLength(1);
    expect(h.cinetpay.calls.filter((call) => call.startsWith('check'))).toHaveLength(3);
  });

  it('provider down at creation: the customer is told the link follows, and it does, from the durable queue', async () => {
    h = await startPaymentsHarness({ store });
    const order = await h.order();
    h.wave.failNext('create', { status: 503 });
    expect(await h.payments.startPayment(h.toPay(order))).toMatchObject({ kind: 'link_follows' });
    expect(h.customerTexts()).toEqual([
      `💳 Le lien pour payer la commande n°${order.number} (47 000 FCFA) arrive ici dans quelques minutes. Vous pouvez aussi payer en espèces à la livraison.`,
    ]);
    expect(readdirSync(join(h.dataDir, 'queues', 'payment-links'))).toHaveLength(1);
    await h.payments.poll(); // too early for the retry
    expect(h.wave.sessions.size).toBe(0);
    h.wave.failNext('create', { reset: true });
    h.advance(30_000);
    await h.payments.poll(); // fails again: waits twice as long
    h.advance(30_000);
    await h.payments.poll();
    expect(h.wave.sessions.size).toBe(0);
    h.advance(30_000);
    await h.payments.poll();
    expect(h.wave.sessions.size).toBe(1);
    expect(h.sent.at(-1)).toMatchObject({ link: { label: 'Payer 47 000 FCFA' } });
    expect(readdirSync(join(h.dataDir, 'queues', 'payment-links'))).toHaveLength(0);
    expect(h.customerTexts().filter((text) => text.includes('arrive ici'))).toHaveLength(1);
  });

  it('provider down for good, or refusing: cash on delivery, and the owner knows why', async () => {
    h = await startPaymentsHarness({ store, timing: { linkGiveUpAfterMs: 5 * MINUTE } });
    const order = await h.order();
    h.wave.failAll('create', { status: 503 });
    await h.payments.startPayment(h.toPay(order));
    for (let minute = 0; minute < 6; minute += 1) {
      h.advance(MINUTE);
      await h.payments.poll();
    }
    expect(h.customerTexts().at(-1)).toBe(`Le paiement en ligne n'est pas possible pour la commande n°${order.number} : vous paierez 47 000 FCFA en espèces à la livraison 🙏`);
    expect(h.ownerTexts()).toEqual([expect.stringMatching(new RegExp(`^⚠️ Lien de paiement non créé pour la commande n°${order.number} \\(Wave : wave: HTTP 503`))]);
    expect(readdirSync(join(h.dataDir, 'queues', 'payment-links'))).toHaveLength(0);
    h.wave.failAll('create', undefined);

    const odd = await h.order();
    const refused = await h.payments.startPayment({ ...h.toPay(odd), amountFcfa: 1 });
    expect(refused).toMatchObject({ kind: 'cash_on_delivery' });
  });

  it('after a restart, pending payments and waiting links are picked up from the database and the disk', async () => {
    h = await startPaymentsHarness({ store });
    const paidWhileDown = await h.order();
    await h.payments.startPayment(h.toPay(paidWhileDown));
    const waiting = await h.order();
    h.wave.failNext('create', { status: 503 });
    await h.payments.startPayment(h.toPay(waiting));
    const payment = (await h.store.findPayment({ orderId: paidWhileDown.orderId }))!;
    await h.wave.pay(payment.providerRef!, { webhook: false }); // the bot was down: the webhook got no answer

    h.restart();
    h.advance(MINUTE);
    await h.payments.poll();
    expect(await h.store.findPayment({ id: payment.id })).toMatchObject({ status: 'paid', notifiedStatus: 'paid' });
    expect(await h.store.findPayment({ orderId: waiting.orderId })).toMatchObject({ status: 'pending' });
    expect(h.customerTexts().filter((text) => text.startsWith('Paiement reçu'))).toHaveLength(1);
    expect(h.sent.filter((s) => s.link).map((s) => s.text)).toEqual([
      expect.stringContaining(`n°${paidWhileDown.number}`),
      expect.stringContaining(`n°${waiting.number}`),
    ]);
  });

  it('starting twice for one order makes one link', async () => {
    h = await startPaymentsHarness({ store });
    const order = await h.order();
    const [a, b] = await Promise.all([h.payments.startPayment(h.toPay(order)), h.payments.startPayment(h.toPay(order))]);
    expect([a.kind, b.kind]).toEqual(['link', 'link']);
    await h.payments.startPayment(h.toPay(order));
    expect(h.wave.sessions.size).toBe(1);
  });
});
