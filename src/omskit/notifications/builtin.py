"""The built-in message texts: every trigger in six languages.

English, German, French, Hebrew, Arabic and Japanese.

Each entry is ``(subject, body)`` jinja2 source. The body is plain text; its HTML version
is made from it by [`html_from_text`][omskit.notifications.templates.html_from_text]
(paragraphs and line breaks) and rendered with autoescaping, so the one source serves
both. Filters: ``money``, ``date``, ``datetime``, ``number`` format through babel in the
recipient's locale; ``ref`` isolates an order number or code, ``link`` a URL (in right-to-
left locales, as ``<bdi>`` in HTML and Unicode isolates in text).
"""

from __future__ import annotations

__all__ = ["BUILTIN_LOCALES", "BUILTIN_TEXTS"]

#: The locales every built-in template is written in.
BUILTIN_LOCALES: tuple[str, ...] = ("en", "de", "fr", "he", "ar", "ja")

_TRACK = "{% for t in tracking %}{{ t.number|ref }}{% if t.url %} {{ t.url|link }}{% endif %}\n{% endfor %}"

Texts = dict[str, dict[str, tuple[str, str]]]

#: ``BUILTIN_TEXTS[template][locale] == (subject, body)``.
BUILTIN_TEXTS: Texts = {
    "order_confirmed": {
        "en": ("Order {{ order_number|ref }} confirmed",
               "Hello {{ customer_name|ref }},\n\nthank you for your order {{ order_number|ref }}. "
               "Total: {{ total|money }}.\n\nWe will let you know when it ships."),
        "de": ("Bestellung {{ order_number|ref }} bestätigt",
               "Hallo {{ customer_name|ref }},\n\nvielen Dank für Ihre Bestellung "
               "{{ order_number|ref }}. Gesamtbetrag: {{ total|money }}.\n\n"
               "Wir melden uns, sobald sie versandt wird."),
        "fr": ("Commande {{ order_number|ref }} confirmée",
               "Bonjour {{ customer_name|ref }},\n\nmerci pour votre commande "
               "{{ order_number|ref }}. Total : {{ total|money }}.\n\n"
               "Nous vous préviendrons de son expédition."),
        "he": ("ההזמנה {{ order_number|ref }} אושרה",
               "שלום {{ customer_name|ref }},\n\nתודה על הזמנתך {{ order_number|ref }}. "
               "סך הכול: {{ total|money }}.\n\nנעדכן אותך כשההזמנה תישלח."),
        "ar": ("تم تأكيد الطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nشكرًا لطلبك {{ order_number|ref }}. "
               "الإجمالي: {{ total|money }}.\n\nسنخبرك عند شحن الطلب."),
        "ja": ("ご注文 {{ order_number|ref }} を承りました",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} ありがとうございます。"
               "合計: {{ total|money }}\n\n発送時に改めてご連絡いたします。"),
    },
    "payment_failed": {
        "en": ("Payment for order {{ order_number|ref }} did not go through",
               "Hello {{ customer_name|ref }},\n\nwe could not take {{ amount|money }} for order "
               "{{ order_number|ref }}. Please check your payment method."),
        "de": ("Zahlung für Bestellung {{ order_number|ref }} fehlgeschlagen",
               "Hallo {{ customer_name|ref }},\n\nwir konnten {{ amount|money }} für die Bestellung "
               "{{ order_number|ref }} nicht einziehen. Bitte prüfen Sie Ihre Zahlungsart."),
        "fr": ("Le paiement de la commande {{ order_number|ref }} a échoué",
               "Bonjour {{ customer_name|ref }},\n\nnous n’avons pas pu encaisser "
               "{{ amount|money }} pour la commande {{ order_number|ref }}. "
               "Veuillez vérifier votre moyen de paiement."),
        "he": ("התשלום עבור ההזמנה {{ order_number|ref }} נכשל",
               "שלום {{ customer_name|ref }},\n\nלא הצלחנו לגבות {{ amount|money }} עבור ההזמנה "
               "{{ order_number|ref }}. נא לבדוק את אמצעי התשלום."),
        "ar": ("تعذّر الدفع للطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nلم نتمكن من تحصيل {{ amount|money }} للطلب "
               "{{ order_number|ref }}. يرجى التحقق من وسيلة الدفع."),
        "ja": ("ご注文 {{ order_number|ref }} のお支払いができませんでした",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} の {{ amount|money }} "
               "をお支払いいただけませんでした。お支払い方法をご確認ください。"),
    },
    "order_on_hold": {
        "en": ("Order {{ order_number|ref }} is on hold",
               "Order {{ order_number|ref }} ({{ total|money }}) was put on hold by "
               "{{ actor }}: {{ reason }}."),
        "de": ("Bestellung {{ order_number|ref }} angehalten",
               "Bestellung {{ order_number|ref }} ({{ total|money }}) wurde von {{ actor }} "
               "angehalten: {{ reason }}."),
        "fr": ("Commande {{ order_number|ref }} en attente",
               "La commande {{ order_number|ref }} ({{ total|money }}) a été mise en attente "
               "par {{ actor }} : {{ reason }}."),
        "he": ("ההזמנה {{ order_number|ref }} הושהתה",
               "ההזמנה {{ order_number|ref }} ({{ total|money }}) הושהתה על ידי "
               "{{ actor|ref }}: {{ reason }}."),
        "ar": ("الطلب {{ order_number|ref }} معلّق",
               "تم تعليق الطلب {{ order_number|ref }} ({{ total|money }}) بواسطة "
               "{{ actor|ref }}: {{ reason }}."),
        "ja": ("注文 {{ order_number|ref }} が保留されました",
               "注文 {{ order_number|ref }}（{{ total|money }}）が {{ actor }} により保留されました: "
               "{{ reason }}"),
    },
    "backordered": {
        "en": ("Part of order {{ order_number|ref }} is on backorder",
               "Hello {{ customer_name|ref }},\n\n{{ units|number }} item(s) of order "
               "{{ order_number|ref }} are waiting for stock."
               "{% if promised_date %} We expect them by {{ promised_date|date }}.{% endif %}"),
        "de": ("Teil der Bestellung {{ order_number|ref }} im Rückstand",
               "Hallo {{ customer_name|ref }},\n\n{{ units|number }} Artikel der Bestellung "
               "{{ order_number|ref }} warten auf Nachschub."
               "{% if promised_date %} Voraussichtlich bis {{ promised_date|date }}.{% endif %}"),
        "fr": ("Une partie de la commande {{ order_number|ref }} est en réapprovisionnement",
               "Bonjour {{ customer_name|ref }},\n\n{{ units|number }} article(s) de la commande "
               "{{ order_number|ref }} attendent du stock."
               "{% if promised_date %} Prévu pour le {{ promised_date|date }}.{% endif %}"),
        "he": ("חלק מההזמנה {{ order_number|ref }} בהזמנה חוזרת",
               "שלום {{ customer_name|ref }},\n\n{{ units|number }} פריטים בהזמנה "
               "{{ order_number|ref }} ממתינים למלאי."
               "{% if promised_date %} צפי הגעה: {{ promised_date|date }}.{% endif %}"),
        "ar": ("جزء من الطلب {{ order_number|ref }} بانتظار المخزون",
               "مرحبًا {{ customer_name|ref }}،\n\n{{ units|number }} من عناصر الطلب "
               "{{ order_number|ref }} بانتظار توفر المخزون."
               "{% if promised_date %} الموعد المتوقع: {{ promised_date|date }}.{% endif %}"),
        "ja": ("ご注文 {{ order_number|ref }} の一部が入荷待ちです",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} の {{ units|number }} 点が"
               "入荷待ちです。{% if promised_date %}{{ promised_date|date }} までにお届け予定です。"
               "{% endif %}"),
    },
    "partially_shipped": {
        "en": ("Part of order {{ order_number|ref }} is on its way",
               "Hello {{ customer_name|ref }},\n\n{{ units|number }} item(s) of order "
               "{{ order_number|ref }} left with {{ carrier|ref }}. The rest follows.\n\n"
               "Tracking:\n" + _TRACK),
        "de": ("Ein Teil der Bestellung {{ order_number|ref }} ist unterwegs",
               "Hallo {{ customer_name|ref }},\n\n{{ units|number }} Artikel der Bestellung "
               "{{ order_number|ref }} sind mit {{ carrier|ref }} unterwegs. Der Rest folgt.\n\n"
               "Sendungsverfolgung:\n" + _TRACK),
        "fr": ("Une partie de la commande {{ order_number|ref }} est en route",
               "Bonjour {{ customer_name|ref }},\n\n{{ units|number }} article(s) de la commande "
               "{{ order_number|ref }} sont partis avec {{ carrier|ref }}. Le reste suivra.\n\n"
               "Suivi :\n" + _TRACK),
        "he": ("חלק מההזמנה {{ order_number|ref }} בדרך",
               "שלום {{ customer_name|ref }},\n\n{{ units|number }} פריטים מההזמנה "
               "{{ order_number|ref }} נשלחו עם {{ carrier|ref }}. השאר יגיע בהמשך.\n\n"
               "מעקב:\n" + _TRACK),
        "ar": ("جزء من الطلب {{ order_number|ref }} في الطريق",
               "مرحبًا {{ customer_name|ref }}،\n\nتم شحن {{ units|number }} من عناصر الطلب "
               "{{ order_number|ref }} مع {{ carrier|ref }}. وسيتبعها الباقي.\n\n"
               "التتبع:\n" + _TRACK),
        "ja": ("ご注文 {{ order_number|ref }} の一部を発送しました",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} のうち {{ units|number }} 点を"
               " {{ carrier|ref }} で発送しました。残りは追ってお届けします。\n\n追跡番号:\n" + _TRACK),
    },
    "shipped": {
        "en": ("Order {{ order_number|ref }} has shipped",
               "Hello {{ customer_name|ref }},\n\nyour order {{ order_number|ref }} left with "
               "{{ carrier|ref }}.\n\nTracking:\n" + _TRACK),
        "de": ("Bestellung {{ order_number|ref }} wurde versandt",
               "Hallo {{ customer_name|ref }},\n\nIhre Bestellung {{ order_number|ref }} ist mit "
               "{{ carrier|ref }} unterwegs.\n\nSendungsverfolgung:\n" + _TRACK),
        "fr": ("La commande {{ order_number|ref }} a été expédiée",
               "Bonjour {{ customer_name|ref }},\n\nvotre commande {{ order_number|ref }} est partie "
               "avec {{ carrier|ref }}.\n\nSuivi :\n" + _TRACK),
        "he": ("ההזמנה {{ order_number|ref }} נשלחה",
               "שלום {{ customer_name|ref }},\n\nההזמנה שלך {{ order_number|ref }} נשלחה עם "
               "{{ carrier|ref }}.\n\nמעקב:\n" + _TRACK),
        "ar": ("تم شحن الطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nتم شحن طلبك {{ order_number|ref }} مع "
               "{{ carrier|ref }}.\n\nالتتبع:\n" + _TRACK),
        "ja": ("ご注文 {{ order_number|ref }} を発送しました",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} を {{ carrier|ref }} で"
               "発送しました。\n\n追跡番号:\n" + _TRACK),
    },
    "out_for_delivery": {
        "en": ("Order {{ order_number|ref }} is out for delivery",
               "Hello {{ customer_name|ref }},\n\nyour parcel for order {{ order_number|ref }} "
               "arrives today.\n\n" + _TRACK),
        "de": ("Bestellung {{ order_number|ref }} wird heute zugestellt",
               "Hallo {{ customer_name|ref }},\n\nIhr Paket zur Bestellung {{ order_number|ref }} "
               "kommt heute.\n\n" + _TRACK),
        "fr": ("La commande {{ order_number|ref }} est en cours de livraison",
               "Bonjour {{ customer_name|ref }},\n\nvotre colis de la commande "
               "{{ order_number|ref }} arrive aujourd’hui.\n\n" + _TRACK),
        "he": ("ההזמנה {{ order_number|ref }} יצאה למסירה",
               "שלום {{ customer_name|ref }},\n\nהחבילה של ההזמנה {{ order_number|ref }} "
               "תגיע היום.\n\n" + _TRACK),
        "ar": ("الطلب {{ order_number|ref }} في طريقه إليك",
               "مرحبًا {{ customer_name|ref }}،\n\nسيصل طرد الطلب {{ order_number|ref }} "
               "اليوم.\n\n" + _TRACK),
        "ja": ("ご注文 {{ order_number|ref }} は本日お届け予定です",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} のお荷物は本日お届け予定です。"
               "\n\n" + _TRACK),
    },
    "delivered": {
        "en": ("Order {{ order_number|ref }} was delivered",
               "Hello {{ customer_name|ref }},\n\nyour parcel for order {{ order_number|ref }} "
               "was delivered. Enjoy!"),
        "de": ("Bestellung {{ order_number|ref }} wurde zugestellt",
               "Hallo {{ customer_name|ref }},\n\nIhr Paket zur Bestellung {{ order_number|ref }} "
               "wurde zugestellt. Viel Freude!"),
        "fr": ("La commande {{ order_number|ref }} a été livrée",
               "Bonjour {{ customer_name|ref }},\n\nvotre colis de la commande "
               "{{ order_number|ref }} a été livré. Bonne journée !"),
        "he": ("ההזמנה {{ order_number|ref }} נמסרה",
               "שלום {{ customer_name|ref }},\n\nהחבילה של ההזמנה {{ order_number|ref }} נמסרה. "
               "תיהנו!"),
        "ar": ("تم تسليم الطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nتم تسليم طرد الطلب {{ order_number|ref }}. "
               "نتمنى أن ينال إعجابك!"),
        "ja": ("ご注文 {{ order_number|ref }} をお届けしました",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} のお荷物をお届けしました。"),
    },
    "delivery_exception": {
        "en": ("A problem with the delivery of order {{ order_number|ref }}",
               "Hello {{ customer_name|ref }},\n\nthe carrier reports: {{ description }}. "
               "We are on it.\n\n" + _TRACK),
        "de": ("Problem bei der Zustellung der Bestellung {{ order_number|ref }}",
               "Hallo {{ customer_name|ref }},\n\nder Versanddienst meldet: {{ description }}. "
               "Wir kümmern uns darum.\n\n" + _TRACK),
        "fr": ("Un problème de livraison pour la commande {{ order_number|ref }}",
               "Bonjour {{ customer_name|ref }},\n\nle transporteur signale : {{ description }}. "
               "Nous nous en occupons.\n\n" + _TRACK),
        "he": ("בעיה במשלוח ההזמנה {{ order_number|ref }}",
               "שלום {{ customer_name|ref }},\n\nחברת השילוח מדווחת: {{ description }}. "
               "אנחנו מטפלים בזה.\n\n" + _TRACK),
        "ar": ("مشكلة في توصيل الطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nأفادت شركة الشحن: {{ description }}. "
               "نحن نتابع الأمر.\n\n" + _TRACK),
        "ja": ("ご注文 {{ order_number|ref }} の配送に問題が発生しました",
               "{{ customer_name|ref }} 様\n\n配送業者からの連絡: {{ description }}。対応中です。\n\n"
               + _TRACK),
    },
    "delay_detected": {
        "en": ("Order {{ order_number|ref }} is running late",
               "Hello {{ customer_name|ref }},\n\nyour parcel for order {{ order_number|ref }} was "
               "promised for {{ promised_date|date }} and has not arrived yet. "
               "We are sorry and are checking with {{ carrier|ref }}.\n\n" + _TRACK),
        "de": ("Bestellung {{ order_number|ref }} verspätet sich",
               "Hallo {{ customer_name|ref }},\n\nIhr Paket zur Bestellung {{ order_number|ref }} "
               "sollte am {{ promised_date|date }} ankommen und ist noch nicht da. "
               "Wir klären das mit {{ carrier|ref }}.\n\n" + _TRACK),
        "fr": ("La commande {{ order_number|ref }} a du retard",
               "Bonjour {{ customer_name|ref }},\n\nvotre colis de la commande "
               "{{ order_number|ref }} était prévu le {{ promised_date|date }} et n’est pas "
               "encore arrivé. Nous vérifions auprès de {{ carrier|ref }}.\n\n" + _TRACK),
        "he": ("ההזמנה {{ order_number|ref }} מתעכבת",
               "שלום {{ customer_name|ref }},\n\nהחבילה של ההזמנה {{ order_number|ref }} הייתה "
               "אמורה להגיע ב־{{ promised_date|date }} ועדיין לא הגיעה. אנחנו בודקים מול "
               "{{ carrier|ref }}.\n\n" + _TRACK),
        "ar": ("تأخّر الطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nكان من المفترض أن يصل طرد الطلب "
               "{{ order_number|ref }} في {{ promised_date|date }} ولم يصل بعد. "
               "نحن نتحقق مع {{ carrier|ref }}.\n\n" + _TRACK),
        "ja": ("ご注文 {{ order_number|ref }} の配送が遅れています",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} のお荷物は "
               "{{ promised_date|date }} にお届け予定でしたが、まだ到着していません。"
               "{{ carrier|ref }} に確認中です。\n\n" + _TRACK),
    },
    "ready_for_pickup": {
        "en": ("Order {{ order_number|ref }} is ready for pickup",
               "Hello {{ customer_name|ref }},\n\nyour order {{ order_number|ref }} is waiting at "
               "{{ location|ref }}. Your pickup code is {{ pickup_code|ref }}; collect by "
               "{{ expires_at|datetime }}."),
        "de": ("Bestellung {{ order_number|ref }} liegt zur Abholung bereit",
               "Hallo {{ customer_name|ref }},\n\nIhre Bestellung {{ order_number|ref }} liegt in "
               "{{ location|ref }} bereit. Ihr Abholcode: {{ pickup_code|ref }}; abholbar bis "
               "{{ expires_at|datetime }}."),
        "fr": ("La commande {{ order_number|ref }} est prête à être retirée",
               "Bonjour {{ customer_name|ref }},\n\nvotre commande {{ order_number|ref }} vous "
               "attend à {{ location|ref }}. Code de retrait : {{ pickup_code|ref }} ; à retirer "
               "avant le {{ expires_at|datetime }}."),
        "he": ("ההזמנה {{ order_number|ref }} מוכנה לאיסוף",
               "שלום {{ customer_name|ref }},\n\nההזמנה שלך {{ order_number|ref }} ממתינה ב־"
               "{{ location|ref }}. קוד האיסוף: {{ pickup_code|ref }}; יש לאסוף עד "
               "{{ expires_at|datetime }}."),
        "ar": ("الطلب {{ order_number|ref }} جاهز للاستلام",
               "مرحبًا {{ customer_name|ref }}،\n\nطلبك {{ order_number|ref }} بانتظارك في "
               "{{ location|ref }}. رمز الاستلام: {{ pickup_code|ref }}؛ يرجى الاستلام قبل "
               "{{ expires_at|datetime }}."),
        "ja": ("ご注文 {{ order_number|ref }} の受け取り準備ができました",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} を {{ location|ref }} で"
               "お預かりしています。受取コード: {{ pickup_code|ref }}。"
               "{{ expires_at|datetime }} までにお受け取りください。"),
    },
    "pickup_reminder": {
        "en": ("Reminder: order {{ order_number|ref }} is waiting for you",
               "Hello {{ customer_name|ref }},\n\nyour order {{ order_number|ref }} is still at "
               "{{ location|ref }}. Please collect it with code {{ pickup_code|ref }} by "
               "{{ expires_at|datetime }}."),
        "de": ("Erinnerung: Bestellung {{ order_number|ref }} wartet auf Sie",
               "Hallo {{ customer_name|ref }},\n\nIhre Bestellung {{ order_number|ref }} liegt noch "
               "in {{ location|ref }}. Bitte holen Sie sie mit dem Code {{ pickup_code|ref }} bis "
               "{{ expires_at|datetime }} ab."),
        "fr": ("Rappel : la commande {{ order_number|ref }} vous attend",
               "Bonjour {{ customer_name|ref }},\n\nvotre commande {{ order_number|ref }} est "
               "toujours à {{ location|ref }}. Retirez-la avec le code {{ pickup_code|ref }} avant "
               "le {{ expires_at|datetime }}."),
        "he": ("תזכורת: ההזמנה {{ order_number|ref }} ממתינה לך",
               "שלום {{ customer_name|ref }},\n\nההזמנה שלך {{ order_number|ref }} עדיין ב־"
               "{{ location|ref }}. נא לאסוף אותה עם הקוד {{ pickup_code|ref }} עד "
               "{{ expires_at|datetime }}."),
        "ar": ("تذكير: الطلب {{ order_number|ref }} بانتظارك",
               "مرحبًا {{ customer_name|ref }}،\n\nلا يزال طلبك {{ order_number|ref }} في "
               "{{ location|ref }}. يرجى استلامه بالرمز {{ pickup_code|ref }} قبل "
               "{{ expires_at|datetime }}."),
        "ja": ("リマインダー: ご注文 {{ order_number|ref }} をお預かりしています",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} を引き続き {{ location|ref }} で"
               "お預かりしています。受取コード {{ pickup_code|ref }} で "
               "{{ expires_at|datetime }} までにお受け取りください。"),
    },
    "order_cancelled": {
        "en": ("Order {{ order_number|ref }} was cancelled",
               "Hello {{ customer_name|ref }},\n\norder {{ order_number|ref }} was cancelled."
               "{% if refunded %} We refunded {{ refunded|money }}.{% endif %}"
               "{% if voided %} We released {{ voided|money }} held on your card.{% endif %}"),
        "de": ("Bestellung {{ order_number|ref }} wurde storniert",
               "Hallo {{ customer_name|ref }},\n\ndie Bestellung {{ order_number|ref }} wurde "
               "storniert.{% if refunded %} Wir haben {{ refunded|money }} erstattet.{% endif %}"
               "{% if voided %} {{ voided|money }} wurden freigegeben.{% endif %}"),
        "fr": ("La commande {{ order_number|ref }} a été annulée",
               "Bonjour {{ customer_name|ref }},\n\nla commande {{ order_number|ref }} a été "
               "annulée.{% if refunded %} Nous avons remboursé {{ refunded|money }}.{% endif %}"
               "{% if voided %} {{ voided|money }} ont été libérés.{% endif %}"),
        "he": ("ההזמנה {{ order_number|ref }} בוטלה",
               "שלום {{ customer_name|ref }},\n\nההזמנה {{ order_number|ref }} בוטלה."
               "{% if refunded %} החזרנו {{ refunded|money }}.{% endif %}"
               "{% if voided %} שחררנו {{ voided|money }}.{% endif %}"),
        "ar": ("تم إلغاء الطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nتم إلغاء الطلب {{ order_number|ref }}."
               "{% if refunded %} أعدنا {{ refunded|money }}.{% endif %}"
               "{% if voided %} تم تحرير {{ voided|money }}.{% endif %}"),
        "ja": ("ご注文 {{ order_number|ref }} はキャンセルされました",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} はキャンセルされました。"
               "{% if refunded %}{{ refunded|money }} を返金しました。{% endif %}"
               "{% if voided %}{{ voided|money }} の与信を解除しました。{% endif %}"),
    },
    "refund_issued": {
        "en": ("Refund for order {{ order_number|ref }}",
               "Hello {{ customer_name|ref }},\n\nwe refunded {{ amount|money }} for order "
               "{{ order_number|ref }} to your original payment method."),
        "de": ("Erstattung zur Bestellung {{ order_number|ref }}",
               "Hallo {{ customer_name|ref }},\n\nwir haben {{ amount|money }} für die Bestellung "
               "{{ order_number|ref }} auf Ihre ursprüngliche Zahlungsart erstattet."),
        "fr": ("Remboursement de la commande {{ order_number|ref }}",
               "Bonjour {{ customer_name|ref }},\n\nnous avons remboursé {{ amount|money }} pour la "
               "commande {{ order_number|ref }} sur votre moyen de paiement d’origine."),
        "he": ("החזר כספי עבור ההזמנה {{ order_number|ref }}",
               "שלום {{ customer_name|ref }},\n\nהחזרנו {{ amount|money }} עבור ההזמנה "
               "{{ order_number|ref }} לאמצעי התשלום המקורי."),
        "ar": ("استرداد مبلغ للطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nأعدنا {{ amount|money }} للطلب "
               "{{ order_number|ref }} إلى وسيلة الدفع الأصلية."),
        "ja": ("ご注文 {{ order_number|ref }} の返金",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} の {{ amount|money }} を"
               "元のお支払い方法に返金しました。"),
    },
    "return_authorized": {
        "en": ("Return {{ rma|ref }} for order {{ order_number|ref }} approved",
               "Hello {{ customer_name|ref }},\n\nyour return {{ rma|ref }} is approved."
               "{% if tracking %} Use this return label:\n" + _TRACK + "{% endif %}"),
        "de": ("Rücksendung {{ rma|ref }} zur Bestellung {{ order_number|ref }} genehmigt",
               "Hallo {{ customer_name|ref }},\n\nIhre Rücksendung {{ rma|ref }} ist genehmigt."
               "{% if tracking %} Ihr Rücksendeetikett:\n" + _TRACK + "{% endif %}"),
        "fr": ("Retour {{ rma|ref }} de la commande {{ order_number|ref }} accepté",
               "Bonjour {{ customer_name|ref }},\n\nvotre retour {{ rma|ref }} est accepté."
               "{% if tracking %} Votre étiquette de retour :\n" + _TRACK + "{% endif %}"),
        "he": ("ההחזרה {{ rma|ref }} להזמנה {{ order_number|ref }} אושרה",
               "שלום {{ customer_name|ref }},\n\nההחזרה שלך {{ rma|ref }} אושרה."
               "{% if tracking %} תווית ההחזרה:\n" + _TRACK + "{% endif %}"),
        "ar": ("تمت الموافقة على الإرجاع {{ rma|ref }} للطلب {{ order_number|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nتمت الموافقة على الإرجاع {{ rma|ref }}."
               "{% if tracking %} ملصق الإرجاع:\n" + _TRACK + "{% endif %}"),
        "ja": ("ご注文 {{ order_number|ref }} の返品 {{ rma|ref }} を承認しました",
               "{{ customer_name|ref }} 様\n\n返品 {{ rma|ref }} を承認しました。"
               "{% if tracking %}返品用ラベル:\n" + _TRACK + "{% endif %}"),
    },
    "return_received": {
        "en": ("We received your return {{ rma|ref }}",
               "Hello {{ customer_name|ref }},\n\nyour return {{ rma|ref }} for order "
               "{{ order_number|ref }} arrived. We will let you know about the refund."),
        "de": ("Ihre Rücksendung {{ rma|ref }} ist angekommen",
               "Hallo {{ customer_name|ref }},\n\nIhre Rücksendung {{ rma|ref }} zur Bestellung "
               "{{ order_number|ref }} ist bei uns. Wir melden uns zur Erstattung."),
        "fr": ("Nous avons reçu votre retour {{ rma|ref }}",
               "Bonjour {{ customer_name|ref }},\n\nvotre retour {{ rma|ref }} de la commande "
               "{{ order_number|ref }} est arrivé. Nous vous tiendrons informé du remboursement."),
        "he": ("ההחזרה {{ rma|ref }} התקבלה",
               "שלום {{ customer_name|ref }},\n\nההחזרה {{ rma|ref }} של ההזמנה "
               "{{ order_number|ref }} הגיעה אלינו. נעדכן אותך לגבי ההחזר."),
        "ar": ("استلمنا الإرجاع {{ rma|ref }}",
               "مرحبًا {{ customer_name|ref }}،\n\nوصل الإرجاع {{ rma|ref }} للطلب "
               "{{ order_number|ref }}. سنخبرك بشأن الاسترداد."),
        "ja": ("返品 {{ rma|ref }} を受け取りました",
               "{{ customer_name|ref }} 様\n\nご注文 {{ order_number|ref }} の返品 {{ rma|ref }} を"
               "受け取りました。返金については改めてご連絡いたします。"),
    },
    "back_in_stock": {
        "en": ("{{ product }} is back in stock",
               "Hello,\n\n{{ product }} ({{ sku|ref }}) is available again."
               "{% if unsubscribe_url %}\n\nUnsubscribe: {{ unsubscribe_url|link }}{% endif %}"),
        "de": ("{{ product }} ist wieder verfügbar",
               "Hallo,\n\n{{ product }} ({{ sku|ref }}) ist wieder erhältlich."
               "{% if unsubscribe_url %}\n\nAbmelden: {{ unsubscribe_url|link }}{% endif %}"),
        "fr": ("{{ product }} est de retour en stock",
               "Bonjour,\n\n{{ product }} ({{ sku|ref }}) est de nouveau disponible."
               "{% if unsubscribe_url %}\n\nSe désabonner : {{ unsubscribe_url|link }}"
               "{% endif %}"),
        "he": ("{{ product }} חזר למלאי",
               "שלום,\n\n{{ product }} ({{ sku|ref }}) זמין שוב."
               "{% if unsubscribe_url %}\n\nהסרה מרשימת התפוצה: {{ unsubscribe_url|link }}"
               "{% endif %}"),
        "ar": ("{{ product }} متوفر من جديد",
               "مرحبًا،\n\n{{ product }} ({{ sku|ref }}) متوفر مرة أخرى."
               "{% if unsubscribe_url %}\n\nإلغاء الاشتراك: {{ unsubscribe_url|link }}"
               "{% endif %}"),
        "ja": ("{{ product }} が再入荷しました",
               "{{ product }}（{{ sku|ref }}）が再入荷しました。"
               "{% if unsubscribe_url %}\n\n配信停止: {{ unsubscribe_url|link }}{% endif %}"),
    },
    "low_stock": {
        "en": ("Low stock: {{ sku|ref }} at {{ location|ref }}",
               "{{ sku|ref }} at {{ location|ref }} is down to {{ available|number }} "
               "(threshold {{ threshold|number }})."),
        "de": ("Niedriger Bestand: {{ sku|ref }} in {{ location|ref }}",
               "{{ sku|ref }} in {{ location|ref }}: nur noch {{ available|number }} "
               "(Schwelle {{ threshold|number }})."),
        "fr": ("Stock bas : {{ sku|ref }} à {{ location|ref }}",
               "{{ sku|ref }} à {{ location|ref }} : plus que {{ available|number }} "
               "(seuil {{ threshold|number }})."),
        "he": ("מלאי נמוך: {{ sku|ref }} ב־{{ location|ref }}",
               "ל־{{ sku|ref }} ב־{{ location|ref }} נותרו {{ available|number }} "
               "(סף {{ threshold|number }})."),
        "ar": ("مخزون منخفض: {{ sku|ref }} في {{ location|ref }}",
               "تبقّى من {{ sku|ref }} في {{ location|ref }} {{ available|number }} "
               "(الحد {{ threshold|number }})."),
        "ja": ("在庫僅少: {{ location|ref }} の {{ sku|ref }}",
               "{{ location|ref }} の {{ sku|ref }} の在庫が {{ available|number }} になりました"
               "（しきい値 {{ threshold|number }}）。"),
    },
    "case_updated": {
        "en": ("Re: {{ case_subject }} [{{ case_number|ref }}]",
               "Hello {{ customer_name|ref }},\n\n{{ message }}\n\n— {{ author|ref }}"),
        "de": ("AW: {{ case_subject }} [{{ case_number|ref }}]",
               "Hallo {{ customer_name|ref }},\n\n{{ message }}\n\n— {{ author|ref }}"),
        "fr": ("RE : {{ case_subject }} [{{ case_number|ref }}]",
               "Bonjour {{ customer_name|ref }},\n\n{{ message }}\n\n— {{ author|ref }}"),
        "he": ("תגובה: {{ case_subject }} [{{ case_number|ref }}]",
               "שלום {{ customer_name|ref }},\n\n{{ message }}\n\n— {{ author|ref }}"),
        "ar": ("رد: {{ case_subject }} [{{ case_number|ref }}]",
               "مرحبًا {{ customer_name|ref }}،\n\n{{ message }}\n\n— {{ author|ref }}"),
        "ja": ("Re: {{ case_subject }} [{{ case_number|ref }}]",
               "{{ customer_name|ref }} 様\n\n{{ message }}\n\n— {{ author|ref }}"),
    },
    # the headline and explanation come from the report in English, with the figures
    "anomaly_detected": {
        "en": ("Report anomaly: {{ reason }}",
               "The daily report check found an anomaly.\n\n{{ description }}"),
        "de": ("Auffälligkeit im Bericht: {{ reason }}",
               "Die tägliche Berichtsprüfung hat eine Auffälligkeit gefunden.\n\n"
               "{{ description }}"),
        "fr": ("Anomalie dans les rapports : {{ reason }}",
               "Le contrôle quotidien des rapports a trouvé une anomalie.\n\n"
               "{{ description }}"),
        "he": ("חריגה בדוח: {{ reason }}",
               "הבדיקה היומית של הדוחות מצאה חריגה.\n\n{{ description }}"),
        "ar": ("حالة شاذة في التقارير: {{ reason }}",
               "وجد الفحص اليومي للتقارير حالة شاذة.\n\n{{ description }}"),
        "ja": ("レポートの異常: {{ reason }}",
               "日次レポートのチェックで異常が見つかりました。\n\n{{ description }}"),
    },
}  # fmt: skip
