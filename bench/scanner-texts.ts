/**
 * The texts the policy-engine bench scans, besides the PII prompt of
 * `workload.ts`: a clinical note for the PHI detector. Synthetic, like the
 * fixtures under `workers/policy/test/fixtures/` (no value belongs to anyone).
 */

const NOTE_LINES = [
  "DISCHARGE SUMMARY",
  "Patient: Harold Jenkins    MRN: 7730021    DOB: 02/11/1931",
  "Admitted: 01/03/2024    Discharged: 01/09/2024    Attending: Dr. Patel",
  "",
  "Harold Jenkins is a 92-year-old retired machinist with HFrEF (EF 30-35% on echo),",
  "atrial fibrillation on apixaban and stage 3 CKD, admitted through the emergency",
  "department with three days of worsening dyspnoea, orthopnoea and ankle swelling after",
  "running out of furosemide. On arrival BP 164/92, HR 104 irregular, RR 22, SpO2 91% on",
  "room air; chest film showed bilateral effusions. He was diuresed with IV furosemide 40 mg",
  "BID, net negative 6.2 L over the stay, and his weight fell from 84.1 kg to 78.3 kg.",
  "Creatinine peaked at 1.9 and settled at 1.6, close to his baseline. Metoprolol was",
  "held for one day for soft pressures and restarted at 25 mg BID.",
  "",
  "Social: lives with his wife Doris Jenkins at 18 Birch Lane, Dayton, OH 45409, in a",
  "two-storey house with the bedroom upstairs. Daughter Ellen Marsh (phone (937) 555-0142)",
  "manages his medications and asked to be called before any change. Home health referral",
  "faxed to Miami Valley Home Care at (937) 555-0190; Medicare beneficiary number",
  "1EG4-TE5-MK73, supplemental plan member ID XJH482019377.",
  "",
  "Discharge medications: furosemide 40 mg PO daily, metoprolol succinate 25 mg daily,",
  "apixaban 2.5 mg BID, atorvastatin 40 mg nightly, potassium chloride 10 mEq daily.",
  "Daily weights, 2 g sodium diet, 1.5 L fluid restriction. Return if weight rises by more",
  "than 1 kg in a day or 2 kg in a week, or if breathlessness returns.",
  "",
  "Follow-up with Dr. Osei in heart failure clinic on 01/16/2024; BMP in one week. The",
  "patient portal (https://portal.mvhealth.example.org/patients/7730021) has the",
  "instructions, and a copy went to ellen.marsh@example.com at the family's request.",
];

/** A discharge summary of about 2 KB with names, dates, an age over 89, an address, phone, fax, MRN, plan ids, URL and email. */
export const CLINICAL_NOTE = NOTE_LINES.join("\n");

/**
 * Exactly `chars` characters of `unit` repeated (blank line between copies),
 * so every size has the same density of things to find.
 */
export function repeatTo(unit: string, chars: number): string {
  const block = `${unit}\n\n`;
  return block.repeat(Math.ceil(chars / block.length)).slice(0, chars);
}
