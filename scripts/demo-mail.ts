/** Sample support mail for the demo: what a real inbox holds on a Monday morning. */
const CRLF = '\r\n';

function message(headers: Record<string, string>, body: string[]): string {
  const lines = Object.entries({ 'MIME-Version': '1.0', Date: new Date().toUTCString(), ...headers }).map(
    ([name, value]) => `${name}: ${value}`
  );
  return [...lines, '', ...body, ''].join(CRLF);
}

const LOGO_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAKklEQVR42mNkYPhfz0AEYBxVSFUBRgYGhv9EKxw1cNTAUQNHDRw1kLoGAgB8QgkRrNnHUwAAAABJRU5ErkJggg==';

export function sampleMail(): string[] {
  return [
    message(
      {
        From: 'Jane Doe <jane@customer.example>',
        To: 'Support <support@example.test>',
        Subject: 'Cannot log in to my account',
        'Message-ID': '<demo-login-1@customer.example>',
        'Content-Type': 'text/plain; charset=utf-8',
      },
      [
        'Hello,',
        '',
        'since this morning the login page says my password is wrong. I did not change it.',
        '',
        'Jane',
      ]
    ),
    message(
      {
        From: 'Jane Doe <jane@customer.example>',
        To: 'Support <support@example.test>',
        Subject: 'Re: Cannot log in to my account',
        'Message-ID': '<demo-login-2@customer.example>',
        'In-Reply-To': '<demo-login-1@customer.example>',
        References: '<demo-login-1@customer.example>',
        'Content-Type': 'text/plain; charset=utf-8',
      },
      [
        'I forgot to say: I use the mobile app, version 4.2.',
        '',
        '> since this morning the login page says...',
      ]
    ),
    message(
      {
        From: '=?UTF-8?B?WsOzZmlhIEtvd2Fsc2th?= <zofia@firma.example>',
        To: 'support@example.test',
        Subject: '=?UTF-8?Q?Pilne:_faktura_nie_dotar=C5=82a?=',
        'Message-ID': '<demo-pl-1@firma.example>',
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Transfer-Encoding': '8bit',
      },
      ['Dzień dobry,', '', 'nie otrzymaliśmy faktury za listopad. Proszę o pilną odpowiedź.', '', 'Zofia']
    ),
    message(
      {
        From: 'Marc Dupont <marc@client.example>',
        To: 'support@example.test',
        Cc: 'Sophie Martin <sophie@client.example>',
        Subject: 'Capture d’écran du problème',
        'Message-ID': '<demo-fr-1@client.example>',
        'Content-Type': 'multipart/related; boundary="rel"',
      },
      [
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Bonjour,</p><p>voici le message d’erreur :</p><p><img src="cid:shot@client.example" alt="erreur"></p>',
        '<script>alert("mail HTML is hostile")</script><p><a href="javascript:alert(1)">lien</a></p>',
        '--rel',
        'Content-Type: image/png; name="erreur.png"',
        'Content-ID: <shot@client.example>',
        'Content-Disposition: inline; filename="erreur.png"',
        'Content-Transfer-Encoding: base64',
        '',
        LOGO_PNG,
        '--rel--',
      ]
    ),
    message(
      {
        From: 'Accounts <accounts@supplier.example>',
        To: 'support@example.test',
        Subject: 'Order 7731: invoice attached',
        'Message-ID': '<demo-invoice@supplier.example>',
        'Content-Type': 'multipart/mixed; boundary="mix"',
      },
      [
        '--mix',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Please find the invoice for order 7731 attached.',
        '--mix',
        'Content-Type: text/plain; name="invoice-7731.txt"',
        'Content-Disposition: attachment; filename="invoice-7731.txt"',
        '',
        'Invoice 7731 - 3 x Widget - EUR 42.00',
        '--mix--',
      ]
    ),
    message(
      {
        To: 'support@example.test',
        Subject: 'A message with no sender',
        'Message-ID': '<demo-nofrom@nowhere>',
      },
      ['Nobody can be answered for this one, so it lands in the quarantine with its reason.']
    ),
  ];
}

const TOPICS = [
  'Where is my order?',
  'Refund request',
  'The app crashes on start',
  'Question about my subscription',
  'Wrong size delivered',
];

export function liveCustomerMail(n: number): string {
  return message(
    {
      From: `Customer ${n} <customer${n}@customer.example>`,
      To: 'support@example.test',
      Subject: TOPICS[n % TOPICS.length],
      'Message-ID': `<demo-live-${n}-${Date.now()}@customer.example>`,
      'Content-Type': 'text/plain; charset=utf-8',
    },
    [`Hello, this is live demo mail number ${n}.`, '', 'Thanks!']
  );
}
