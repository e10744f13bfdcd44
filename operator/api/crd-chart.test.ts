import { parse } from 'yaml';
import { KINDS } from '.';
import { CHART_CRD_DIR, PLAIN_CRD_DIR, renderCrdFiles } from './crd-files';

// The chart's CRDs are Helm templates of the same CRDs as crds/: gated by
// crds.enabled, kept on uninstall with crds.keep, and every literal `{{` of a
// description escaped, so Helm prints it instead of running it.
describe('chart CRD templates', () => {
  const plain = renderCrdFiles(KINDS, PLAIN_CRD_DIR);
  const chart = renderCrdFiles(KINDS, CHART_CRD_DIR);

  it('has one template per plain CRD, gated by crds.enabled, with the keep policy behind crds.keep', () => {
    expect([...chart.keys()]).toEqual([...plain.keys()]);
    for (const text of chart.values()) {
      expect(text.split('\n')[1]).toBe('{{- if .Values.crds.enabled }}');
      expect(text.trimEnd().endsWith('{{- end }}')).toBe(true);
      expect(text).toContain(
        '  {{- if .Values.crds.keep }}\n  annotations:\n    helm.sh/resource-policy: keep\n  {{- end }}\n',
      );
    }
  });

  it("renders to the plain CRD's spec once Helm has run (escapes undone, template lines dropped)", () => {
    const helmLike = (text: string) =>
      text
        .split('\n')
        .filter((line) => !/^\s*\{\{-/.test(line) && !line.includes('helm.sh/resource-policy'))
        .join('\n')
        .replaceAll('{{ "{{" }}', '{{')
        .replace(/\n {2}labels:\n/, '\n')
        .replace(/\n {2}annotations:\n/, '\n');
    for (const [file, text] of chart) {
      const fromChart = parse(helmLike(text)) as { spec: unknown; metadata: { name: string } };
      const fromPlain = parse(plain.get(file)!) as { spec: unknown; metadata: { name: string } };
      expect(fromChart.metadata.name).toBe(fromPlain.metadata.name);
      expect(fromChart.spec).toEqual(fromPlain.spec);
    }
  });

  it('escapes the query templates of the ParityCheck descriptions', () => {
    const parity = chart.get('paritychecks.understudy.dev.yaml')!;
    expect(parity).toContain('{{ "{{" }}service}}');
    expect(parity.replaceAll('{{ "{{" }}', '')).not.toMatch(/\{\{(?!-? *(if|end|include|"))/);
  });
});
