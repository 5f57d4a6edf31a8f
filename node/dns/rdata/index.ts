/**
 * RDATA dispatch: type number → presentation text. Returns null when the RDATA does not decode as its
 * type; the parser then writes the RFC 3597 generic form and counts rdata.malformed:<TYPE>. Types not
 * listed get the generic form directly (not an anomaly).
 */
import type { NameReader } from '../name.ts'
import { ipv4, ipv6, renderApl, renderEui, renderIlnp64, renderL32, renderLp, renderWks } from './address.ts'
import {
  renderBase64,
  renderCert,
  renderCsync,
  renderDnskey,
  renderDs,
  renderHip,
  renderIpseckey,
  renderNsec,
  renderNsec3,
  renderNsec3param,
  renderRrsig,
  renderSshfp,
  renderTlsa,
  renderZonemd,
} from './dnssec.ts'
import { characterStrings, generic } from './encoding.ts'
import { renderLoc } from './loc.ts'
import {
  renderName,
  renderNaptr,
  renderPrefName,
  renderPx,
  renderSoa,
  renderSrv,
  renderText,
  renderTwoNames,
} from './names.ts'
import { renderSvcb } from './svcb.ts'
import { renderCaa, renderNsap, renderUri } from './text.ts'

export function renderRdata(names: NameReader, type: number, off: number, end: number): string | null {
  const b = names.buf
  switch (type) {
    case 1: // A
      return end - off === 4 ? ipv4(b, off) : null
    case 28: // AAAA
      return end - off === 16 ? ipv6(b, off) : null
    case 2: // NS
    case 3: // MD
    case 4: // MF
    case 5: // CNAME
    case 7: // MB
    case 8: // MG
    case 9: // MR
    case 12: // PTR
    case 23: // NSAP-PTR
    case 39: // DNAME
      return renderName(names, off, end)
    case 6:
      return renderSoa(names, off, end)
    case 15: // MX
    case 18: // AFSDB
    case 21: // RT
    case 36: // KX
      return renderPrefName(names, off, end)
    case 16: // TXT
    case 99: // SPF
    case 56: // NINFO
    case 258: // AVC
    case 261: // RESINFO
    case 262: // WALLET
      return renderText(names, off, end)
    case 13: // HINFO
      return characterStrings(b, off, end, 2, 2)
    case 19: // X25
      return characterStrings(b, off, end, 1, 1)
    case 20: // ISDN
      return characterStrings(b, off, end, 1, 2)
    case 14: // MINFO
    case 17: // RP
      return renderTwoNames(names, off, end)
    case 26:
      return renderPx(names, off, end)
    case 33:
      return renderSrv(names, off, end)
    case 35:
      return renderNaptr(names, off, end)
    case 11:
      return renderWks(b, off, end)
    case 22:
      return renderNsap(b, off, end)
    case 29:
      return renderLoc(b, off, end)
    case 42:
      return renderApl(b, off, end)
    case 43: // DS
    case 59: // CDS
    case 32768: // TA
    case 32769: // DLV
      return renderDs(b, off, end)
    case 25: // KEY
    case 48: // DNSKEY
    case 60: // CDNSKEY
      return renderDnskey(b, off, end)
    case 24: // SIG
    case 46: // RRSIG
      return renderRrsig(names, off, end)
    case 47:
      return renderNsec(names, off, end)
    case 50:
      return renderNsec3(b, off, end)
    case 51:
      return renderNsec3param(b, off, end)
    case 62:
      return renderCsync(b, off, end)
    case 63:
      return renderZonemd(b, off, end)
    case 44:
      return renderSshfp(b, off, end)
    case 52: // TLSA
    case 53: // SMIMEA
      return renderTlsa(b, off, end)
    case 49: // DHCID
    case 61: // OPENPGPKEY
      return renderBase64(b, off, end)
    case 37:
      return renderCert(b, off, end)
    case 45:
      return renderIpseckey(names, off, end)
    case 55:
      return renderHip(names, off, end)
    case 64: // SVCB
    case 65: // HTTPS
      return renderSvcb(names, off, end)
    case 104: // NID
    case 106: // L64
      return renderIlnp64(b, off, end)
    case 105:
      return renderL32(b, off, end)
    case 107:
      return renderLp(names, off, end)
    case 108:
      return renderEui(b, off, end, 6)
    case 109:
      return renderEui(b, off, end, 8)
    case 256:
      return renderUri(b, off, end)
    case 257:
      return renderCaa(b, off, end)
    default:
      return generic(b, off, end)
  }
}
