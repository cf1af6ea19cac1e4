import { describe, expect, it } from 'vitest';
import { detectLanguage, languagesOfMail } from '../../src/mail/language';
import { chooseTemplate, mergeTemplates } from '../../src/outbound/templates/choose';
import { renderTemplate } from '../../src/outbound/templates/render';

describe('detectLanguage', () => {
  it.each([
    ['ar', 'مرحبا، لدي مشكلة في طلبي رقم 1234. لم يصل بعد، هل يمكنكم مساعدتي من فضلكم؟'],
    ['he', 'שלום, ההזמנה שלי עדיין לא הגיעה. אפשר לבדוק מה קרה איתה?'],
    ['fa', 'سلام، سفارش من هنوز نرسیده است. لطفا کمک کنید و وضعیت آن را بررسی کنید.'],
    ['ur', 'السلام علیکم، میرا آرڈر ابھی تک نہیں پہنچا۔ براہ کرم میری مدد کریں۔'],
  ])('detects %s as right to left', async (language, text) => {
    expect(await detectLanguage(text)).toEqual({ language, direction: 'rtl', source: 'detector' });
  });

  it.each([
    [
      'de',
      'Guten Tag, meine Bestellung ist noch nicht angekommen. Können Sie bitte prüfen, was passiert ist?',
    ],
    ['fr', "Bonjour, ma commande n'est pas encore arrivée. Pouvez-vous vérifier ce qui s'est passé ?"],
    ['pl', 'Dzień dobry, moje zamówienie jeszcze nie dotarło. Czy mogą Państwo sprawdzić, co się stało?'],
  ])('detects %s as left to right', async (language, text) => {
    expect(await detectLanguage(text)).toMatchObject({ language, direction: 'ltr' });
  });

  it('falls back to the script for texts too short for the detector', async () => {
    expect(await detectLanguage('مرحبا')).toEqual({ language: 'ar', direction: 'rtl', source: 'script' });
    expect(await detectLanguage('שלום רב')).toEqual({ language: 'he', direction: 'rtl', source: 'script' });
    expect(await detectLanguage('پرسش')).toMatchObject({ language: 'fa', direction: 'rtl' });
    expect(await detectLanguage('شکریہ')).toMatchObject({ language: 'ur', direction: 'rtl' });
  });

  it('leaves plain ASCII text to the English default without asking the detector', async () => {
    expect(
      await detectLanguage('Hello, my order has not arrived yet. Could you please check it?')
    ).toBeNull();
    expect(await languagesOfMail([], 'Bonjour, ma commande est en retard, pouvez-vous regarder?')).toEqual(
      []
    );
  });

  it('gives no answer when neither can tell', async () => {
    expect(await detectLanguage('')).toBeNull();
    expect(await detectLanguage('Thanks!')).toBeNull();
    expect(await detectLanguage('12345 !!! ???')).toBeNull();
  });

  it('follows the script when most letters are Arabic even with Latin words mixed in', async () => {
    const text = 'مرحبا، طلبي رقم ORDER-1234 لم يصل بعد إلى عنواني في الرياض. شكرا لكم على المساعدة';
    expect(await detectLanguage(text)).toMatchObject({ language: 'ar', direction: 'rtl' });
  });

  it('reads only the opening of a huge text', async () => {
    const started = performance.now();
    const detected = await detectLanguage(`${'مرحبا بكم في متجرنا '.repeat(20)}${'x'.repeat(5_000_000)}`);
    expect(detected).toMatchObject({ language: 'ar' });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('languagesOfMail', () => {
  it('keeps the header languages and detects only without them', async () => {
    expect(await languagesOfMail(['fr', 'en'], 'مرحبا، لدي مشكلة في طلبي رقم 1234 ولم يصل بعد')).toEqual([
      'fr',
      'en',
    ]);
    expect(await languagesOfMail([], 'مرحبا، لدي مشكلة في طلبي رقم 1234 ولم يصل بعد')).toEqual(['ar']);
    expect(await languagesOfMail([], 'Ok')).toEqual([]);
  });

  it('gives an Arabic mail an Arabic right-to-left acknowledgement from the shipped templates', async () => {
    const languages = await languagesOfMail([], 'مرحبا، لدي مشكلة في طلبي رقم 1234 ولم يصل بعد');
    const template = chooseTemplate(mergeTemplates([]), 'ticket-acknowledgement', languages);
    expect(template.language).toBe('ar');
    const mail = renderTemplate(
      template,
      {
        ticket: { number: 7, subject: 'طلبي', status: 'open', priority: 'normal' },
        requester: { name: 'سارة', email: 'sara@customer.test' },
        site: { name: 'Example Shop' },
        mailbox: { name: 'Example Support' },
      },
      { subjectToken: '[#7]' }
    );
    expect(mail.direction).toBe('rtl');
    expect(mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(mail.subject).toBe('[#7] تلقّينا طلبك: طلبي');
    expect(mail.text).toContain('مرحبًا سارة،');
  });

  it('detects Hebrew, Persian and Urdu without shipped templates, falling back to English text', async () => {
    for (const [language, text] of [
      ['he', 'שלום, ההזמנה שלי עדיין לא הגיעה. אפשר לבדוק מה קרה איתה?'],
      ['fa', 'سلام، سفارش من هنوز نرسیده است. لطفا کمک کنید و وضعیت آن را بررسی کنید.'],
      ['ur', 'السلام علیکم، میرا آرڈر ابھی تک نہیں پہنچا۔ براہ کرم میری مدد کریں۔'],
    ]) {
      const languages = await languagesOfMail([], text);
      expect(languages).toEqual([language]);
      expect(chooseTemplate(mergeTemplates([]), 'ticket-acknowledgement', languages).language).toBe('en');
    }
  });
});
