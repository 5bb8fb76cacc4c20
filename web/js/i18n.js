// Turkish and English texts. Elements carry data-i18n="key" (text) or data-i18n-label="key" (aria-label).
const TEXT = {
  tr: {
    skip: 'Ana içeriğe geç', nav: 'Konsol', language: 'Dil',
    'nav.portal': 'Geliştirici portalı', 'nav.signature': 'İmza aracı', 'nav.explorer': 'API gezgini', 'nav.esign': 'E-imza demosu', 'nav.phones': 'Sanal telefonlar',
    'auth.title': 'Oturum aç veya kaydol', 'auth.email': 'E-posta', 'auth.password': 'Parola (en az 10 karakter)', 'auth.signin': 'Oturum aç', 'auth.signup': 'Kaydol', 'auth.as': 'Oturum:', 'auth.signout': 'Oturumu kapat',
    'app.new': 'Yeni uygulama', 'app.name': 'Ad', 'app.scopes': 'Kapsamlar', 'app.redirects': 'Yönlendirme adresleri (satır başına bir)', 'app.key': 'Açık anahtar',
    'app.keyGenerate': 'Tarayıcıda üret (özel anahtar indirilir, sunucuya gönderilmez)', 'app.keyUpload': 'Kendi açık anahtarımı yapıştır', 'app.pubkey': 'Açık anahtar (PEM)',
    'app.create': 'Uygulamayı oluştur', 'app.secretTitle': 'İstemci sırrı (yalnızca bir kez gösterilir)', 'app.clientId': 'client_id', 'app.secret': 'client_secret',
    'app.keyDownloaded': 'Özel anahtarınız PKCS#8 PEM olarak indirildi. Sunucuda kopyası yoktur.', 'app.list': 'Uygulamalarım', 'app.none': 'Henüz uygulamanız yok.',
    'app.pasteKey': 'Yeni açık anahtar (PEM: PUBLIC KEY veya RSA PUBLIC KEY)', 'app.uploadKey': 'Açık anahtar yükle', 'app.keyRegistered': 'Yeni açık anahtar kaydedildi.',
    'app.rotateSecret': 'Sırrı yenile', 'app.rotateKey': 'Yeni anahtar üret', 'app.calls': 'Son çağrılar', 'app.refresh': 'Yenile', 'app.noCalls': 'Henüz çağrı yok.',
    'app.time': 'Zaman', 'app.call': 'Çağrı', 'app.status': 'Durum', 'app.hint': 'Signature-Hint', 'app.creating': 'Anahtar üretiliyor ve uygulama oluşturuluyor…', 'app.created': 'Uygulama oluşturuldu.',
    'sig.intro': 'İmza tarayıcıda hesaplanır: RSASSA-PKCS1-v1_5 SHA-256, UTF-8 olarak erişim belirteci + gövde (POST/PUT) ya da "?" + sorgu (GET), gönderildiği haliyle.',
    'sig.getToken': 'Belirteç al (client credentials)', 'sig.gotToken': 'Erişim belirteci alındı; süresi (s):',
    'sig.method': 'HTTP yöntemi', 'sig.token': 'Erişim belirteci', 'sig.url': 'API adresi', 'sig.key': 'Özel anahtar (PKCS#1 veya PKCS#8 PEM)', 'sig.keyfile': '…ya da dosyadan yükle',
    'sig.body': 'Gövde (olduğu gibi imzalanır ve gönderilir)', 'sig.compute': 'İmzayı hesapla', 'sig.send': 'Bu isteği gönder', 'sig.result': 'Signature',
    'sig.bytesText': 'İmzalanan baytlar (UTF-8 metin)', 'sig.bytesHex': 'İmzalanan baytlar (onaltılık)', 'sig.response': 'Yanıt', 'sig.done': 'İmza hesaplandı.',
    'sig.reencoded': 'Tarayıcı sorguyu şöyle gönderecek; imzalanan budur:', 'sig.bodyIgnored': 'GET isteğinde gövde gönderilmez ve imzalanmaz.',
    'exp.filter': 'Süz', 'exp.try': 'Dene', 'exp.send': 'Gönder', 'exp.sign': 'İmza aracında aç', 'exp.headers': 'Başlıklar (satır başına "Ad: değer")', 'exp.body': 'Gövde', 'exp.path': 'Yol',
    'es.key': 'API anahtarı (X-API-KEY)', 'es.newkey': 'Demo anahtarı al (oturum gerekir)', 'es.upload': 'Belge yükle', 'es.drop': "Dosyayı buraya sürükleyin ya da seçmek için Enter'a basın",
    'es.file': 'Dosya', 'es.progress': 'Yükleme', 'es.operation': 'İşlem', 'es.phone': 'Telefon numarası', 'es.operator': 'Operatör', 'es.prompt': 'Kullanıcı mesajı',
    'es.tckn': 'T.C. kimlik no (isteğe bağlı)', 'es.level': 'İmza seviyesi', 'es.path': 'İmza yolu (signaturePath, isteğe bağlı)', 'es.serial': 'Seri / paralel', 'es.profile': 'Türk imza profili',
    'es.none': 'yok', 'es.env': 'Zarflama', 'es.sign': 'İmzala', 'es.statusTitle': 'Durum', 'es.download': 'İndir', 'es.verify': 'Doğrula',
    'es.uploaded': 'Yüklendi', 'es.needKey': 'Önce bir API anahtarı girin.', 'es.needOp': 'Önce bir belge yükleyin.', 'es.waiting': 'Telefonda onay bekleniyor…', 'es.signing': 'imza',
    'es.signed': 'İmzalandı; imzalı belge işlemi:', 'es.valid': 'Geçerli', 'es.invalid': 'Geçersiz', 'es.noSignatures': 'Belgede XAdES imzası yok.', 'es.downloaded': 'İndirildi',
    'ph.intro': 'Her abonenin operatör tarzı telefon ekranı: bekleyen imza isteği, parmak izi, PIN ile onay veya ret.', 'ph.blocked': 'engelli',
    error: 'Hata',
  },
  en: {
    skip: 'Skip to main content', nav: 'Console', language: 'Language',
    'nav.portal': 'Developer portal', 'nav.signature': 'Signature tool', 'nav.explorer': 'API explorer', 'nav.esign': 'E-signature demo', 'nav.phones': 'Virtual phones',
    'auth.title': 'Sign in or sign up', 'auth.email': 'E-mail', 'auth.password': 'Password (at least 10 characters)', 'auth.signin': 'Sign in', 'auth.signup': 'Sign up', 'auth.as': 'Signed in as', 'auth.signout': 'Sign out',
    'app.new': 'New application', 'app.name': 'Name', 'app.scopes': 'Scopes', 'app.redirects': 'Redirect URIs (one per line)', 'app.key': 'Public key',
    'app.keyGenerate': 'Generate in the browser (the private key is downloaded, never sent to the server)', 'app.keyUpload': 'Paste my own public key', 'app.pubkey': 'Public key (PEM)',
    'app.create': 'Create application', 'app.secretTitle': 'Client secret (shown once)', 'app.clientId': 'client_id', 'app.secret': 'client_secret',
    'app.keyDownloaded': 'Your private key was downloaded as PKCS#8 PEM. The server has no copy.', 'app.list': 'My applications', 'app.none': 'No applications yet.',
    'app.pasteKey': 'New public key (PEM: PUBLIC KEY or RSA PUBLIC KEY)', 'app.uploadKey': 'Upload a public key', 'app.keyRegistered': 'The new public key is registered.',
    'app.rotateSecret': 'Rotate secret', 'app.rotateKey': 'Generate a new key', 'app.calls': 'Recent calls', 'app.refresh': 'Refresh', 'app.noCalls': 'No calls yet.',
    'app.time': 'Time', 'app.call': 'Call', 'app.status': 'Status', 'app.hint': 'Signature-Hint', 'app.creating': 'Generating the key and creating the application…', 'app.created': 'Application created.',
    'sig.intro': 'The signature is computed in your browser: RSASSA-PKCS1-v1_5 with SHA-256 over the UTF-8 bytes of the access token followed by the body (POST/PUT) or "?" + the query (GET), exactly as sent.',
    'sig.getToken': 'Get a token (client credentials)', 'sig.gotToken': 'Access token received; expires in (s):',
    'sig.method': 'HTTP method', 'sig.token': 'Access token', 'sig.url': 'API endpoint URL', 'sig.key': 'Private key (PKCS#1 or PKCS#8 PEM)', 'sig.keyfile': '…or load it from a file',
    'sig.body': 'Body (signed and sent verbatim)', 'sig.compute': 'Compute signature', 'sig.send': 'Send this request', 'sig.result': 'Signature',
    'sig.bytesText': 'Signed bytes (as UTF-8 text)', 'sig.bytesHex': 'Signed bytes (hex)', 'sig.response': 'Response', 'sig.done': 'Signature computed.',
    'sig.reencoded': 'The browser will send the query as follows; this is what is signed:', 'sig.bodyIgnored': 'A GET request carries no body; it is not signed.',
    'exp.filter': 'Filter', 'exp.try': 'Try it', 'exp.send': 'Send', 'exp.sign': 'Open in the signature tool', 'exp.headers': 'Headers (one "Name: value" per line)', 'exp.body': 'Body', 'exp.path': 'Path',
    'es.key': 'API key (X-API-KEY)', 'es.newkey': 'Get a demo key (needs sign-in)', 'es.upload': 'Upload a document', 'es.drop': 'Drop a file here, or press Enter to choose one',
    'es.file': 'File', 'es.progress': 'Upload', 'es.operation': 'Operation', 'es.phone': 'Phone number', 'es.operator': 'Operator', 'es.prompt': 'User prompt',
    'es.tckn': 'Citizenship number (optional)', 'es.level': 'Signature level', 'es.path': 'Signature path (signaturePath, optional)', 'es.serial': 'Serial / parallel', 'es.profile': 'Turkish signature profile',
    'es.none': 'none', 'es.env': 'Enveloping', 'es.sign': 'Sign', 'es.statusTitle': 'Status', 'es.download': 'Download', 'es.verify': 'Verify',
    'es.uploaded': 'Uploaded', 'es.needKey': 'Enter an API key first.', 'es.needOp': 'Upload a document first.', 'es.waiting': 'Waiting for approval on the phone…', 'es.signing': 'signing',
    'es.signed': 'Signed; the signed document is operation', 'es.valid': 'Valid', 'es.invalid': 'Not valid', 'es.noSignatures': 'The document has no XAdES signature.', 'es.downloaded': 'Downloaded',
    'ph.intro': "Each subscriber's operator-styled phone screen: the pending signing request, its fingerprint, approve with the PIN or refuse.", 'ph.blocked': 'blocked',
    error: 'Error',
  },
};

let current = localStorage.getItem('imzala.lang') === 'en' ? 'en' : 'tr';

export const lang = () => current;
export const t = (key) => TEXT[current][key] ?? TEXT.en[key] ?? key;

export function applyLanguage(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

export function setLanguage(value) {
  current = value === 'en' ? 'en' : 'tr';
  localStorage.setItem('imzala.lang', current);
  applyLanguage();
}
