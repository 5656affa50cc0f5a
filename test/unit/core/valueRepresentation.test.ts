import assert from 'node:assert/strict';
import { checkValueAgainstVr } from '../../../src/core/valueRepresentation';

function fits(vr: string, value: unknown, vm = '1'): void {
  assert.equal(checkValueAgainstVr(vr, vm, value), undefined, `${vr} ${JSON.stringify(value)} should fit`);
}
function misfits(vr: string, value: unknown, pattern: RegExp, vm = '1'): void {
  const problem = checkValueAgainstVr(vr, vm, value);
  assert.ok(problem, `${vr} ${JSON.stringify(value)} should not fit`);
  assert.match(problem, pattern);
}

describe('value representation checks', () => {
  it('null (an empty element) fits every VR', () => {
    for (const vr of ['DA', 'UI', 'CS', 'US', 'SQ', 'PN']) fits(vr, null);
  });

  it('DA, TM, DT', () => {
    fits('DA', '20240229');
    fits('DA', '');
    misfits('DA', '2024-01-01', /YYYYMMDD/);
    misfits('DA', '20230229', /calendar date/);
    fits('TM', '101500.000');
    fits('TM', '1015');
    misfits('TM', '10:15', /HHMMSS/);
    misfits('TM', '251500', /time of day/);
    fits('DT', '20240101101500.123456+0100');
    misfits('DT', '2024-01-01T10:00', /date time/);
  });

  it('UI, CS, AS', () => {
    fits('UI', '1.2.840.10008.5.1.4.1.1.2');
    misfits('UI', '1.2.abc', /digits and dots/);
    misfits('UI', '1.' + '2'.repeat(64), /longer than 64/);
    misfits('UI', '1..2', /empty component/);
    fits('CS', 'ORIGINAL_1 ');
    misfits('CS', 'female', /upper-case/);
    misfits('CS', 'A'.repeat(17), /longer than 16/);
    fits('AS', '045Y');
    misfits('AS', '45Y', /age/);
  });

  it('LO, SH, PN count characters, allow non-ASCII, refuse backslashes and control characters', () => {
    fits('LO', 'Ünïcödé 山田 😀');
    misfits('LO', 'x'.repeat(65), /longer than 64/);
    fits('LO', '😀'.repeat(64));
    misfits('SH', 'x'.repeat(17), /longer than 16/);
    misfits('LO', 'a\\b', /backslash/);
    misfits('LO', 'a\nb', /control/);
    fits('LT', 'line 1\r\nline 2');
    fits('PN', 'DOE^JANE^^DR=山田^太郎');
    misfits('PN', 'A^B^C^D^E^F', /five components/);
    misfits('PN', 'a=b=c=d', /three component groups/);
  });

  it('IS, DS and binary numbers', () => {
    fits('IS', '1 ');
    fits('IS', 12);
    misfits('IS', '1.5', /integer/);
    fits('DS', '-1024');
    fits('DS', '0.25 ');
    fits('DS', '1e3');
    misfits('DS', 'abc', /decimal/);
    fits('US', 512);
    misfits('US', 70000, /0\.\.65535/);
    misfits('US', -1, /0\.\.65535/);
    fits('SS', -5);
    misfits('UL', 1.5, /integer/);
    fits('xs', -1); // US or SS
    fits('FD', 0.5);
    misfits('US', 'many', /not a number/);
  });

  it('value multiplicity and sequences', () => {
    fits('CS', ['ORIGINAL', 'PRIMARY'], '2-n');
    misfits('CS', ['ORIGINAL'], /1 values where the element allows 2-n/, '2-n');
    misfits('DS', ['0.5', '0.5', '0.5'], /3 values/, '2');
    misfits('DS', ['0.5', 'x'], /value 2 of 2 is not a decimal/, '2');
    fits('SQ', [{ CodeValue: '1' }, {}]);
    misfits('SQ', 'text', /not a sequence/);
    misfits('SQ', [1], /item 1 of the sequence is not an object/);
    misfits('LO', { Alphabetic: 'x' }, /object/);
    misfits('LO', true, /boolean/);
  });

  it('binary VRs hold base64', () => {
    fits('OB', 'AAE=');
    misfits('OB', 'not base64!', /base64/);
  });
});
