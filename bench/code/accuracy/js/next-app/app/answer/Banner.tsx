import { useSearchParams } from 'next/navigation';

export function PromoBanner() {
  const params = useSearchParams();
  const promo = params.get('promo') ?? '';
  return (
    <section
      className="banner"
      dangerouslySetInnerHTML={{ __html: `<b>${promo}</b>` }} // VULN:xss
    />
  );
}

export function PromoBannerText() {
  const params = useSearchParams();
  const promo = params.get('promo') ?? '';
  return (
    <section className="banner">
      <b>{promo}</b>
    </section>
  );
}

export function StaticBanner() {
  const html = '<b>Free shipping over $50</b>';
  return <section className="banner" dangerouslySetInnerHTML={{ __html: html }} />;
}
