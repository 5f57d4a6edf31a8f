/**
 * A brand's neighbourhood over months, as COF objects dated relative to `now`: look-alikes of
 * examplebank.com beside unrelated names, and the brand's CNAMEs — healthy (CloudFront), dangling
 * (an S3 bucket now NXDOMAIN) and stale (Shopify). For lookalikes and cname-audit end to end.
 */
const DAY = 86_400

export const BRAND = 'examplebank.com'

export function brandCorpus(now: number): Record<string, unknown>[] {
  const rec = (
    rrname: string,
    rrtype: string,
    rdata: string | null,
    daysFirst: number,
    daysLast: number,
    sensor = 'east',
  ) => ({
    rrname,
    rrtype,
    ...(rdata === null ? { negative: 'nxdomain' } : { rdata }),
    time_first: now - daysFirst * DAY,
    time_last: now - daysLast * DAY,
    count: 1,
    sensor_id: sensor,
  })
  return [
    // the brand and its look-alikes, months apart
    rec('examplebank.com', 'A', '198.51.100.10', 180, 0),
    rec('examp1ebank.com', 'A', '203.0.113.5', 20, 2),
    rec('mail.examplebank-login.net', 'MX', '10 mx.bad.example', 60, 45, 'west'),
    rec('examplebnak.com', 'NS', 'ns1.parked.example', 120, 90),
    rec('examplebank.co', 'A', '203.0.113.6', 10, 1),
    // unrelated names
    rec('www.wikipedia.org', 'A', '198.51.100.20', 100, 0),
    rec('bank.example.net', 'A', '198.51.100.21', 100, 0),
    // CNAMEs of the brand's zone
    rec('www.examplebank.com', 'CNAME', 'd123.cloudfront.net', 150, 0),
    rec('d123.cloudfront.net', 'A', '198.51.100.30', 150, 0),
    rec('static.examplebank.com', 'CNAME', 'examplebank-static.s3.amazonaws.com', 160, 1),
    rec('examplebank-static.s3.amazonaws.com', 'A', '198.51.100.31', 160, 70),
    rec('examplebank-static.s3.amazonaws.com', 'A', null, 60, 3),
    rec('shop.examplebank.com', 'CNAME', 'examplebank.myshopify.com', 200, 2),
    rec('examplebank.myshopify.com', 'A', '198.51.100.32', 200, 100),
  ]
}
