import type * as Sarif from 'sarif';
import type { Message } from '../l10n';
import { RULES } from '../python/catalog';
import type { Fix } from '../python/types';
import { coarseSeverity, type ScanReportInput } from './scanResults';

const LEVEL: Record<'error' | 'warning' | 'info', Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * SARIF 2.1.0 log of a scan: the rule catalog as the driver's rules, one result per finding with
 * 1-based regions (UTF-16 columns, SARIF's default column kind), fixes as artifact changes, and
 * unreadable files as tool notifications.
 */
export function scanSarif(
  input: ScanReportInput,
  t: (m: Message) => string,
  tool: {
    version: string;
    fixFor: (f: ScanReportInput['findings'][number]) => Fix | undefined;
    /** URL of the installed package's root (ending in /): rule docs ship in it, so helpUri points to that file. */
    docsBase?: string;
  },
): Sarif.Log {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id as string, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'npu-port',
            informationUri: 'https://github.com/npu-port/npu-porting-assistant',
            version: tool.version,
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: t(r.title) },
              fullDescription: { text: t(r.explanation) },
              help: { text: t(r.replacement) },
              ...(tool.docsBase ? { helpUri: new URL(t(r.docs), tool.docsBase).href } : {}),
              defaultConfiguration: { level: LEVEL[coarseSeverity(r.severity)] },
            })),
          },
        },
        originalUriBaseIds: { SRCROOT: { description: { text: 'The directory npu-port scan ran in.' } } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: input.problems.map((p) => ({
              level: 'warning',
              message: { text: t(p.message) },
              locations: [{ physicalLocation: { artifactLocation: { uri: encodeUri(p.file), uriBaseId: 'SRCROOT' } } }],
            })),
          },
        ],
        results: input.findings.map((located) => {
          const { finding } = located;
          const artifactLocation = { uri: encodeUri(located.file), uriBaseId: 'SRCROOT' };
          const fix = tool.fixFor(located);
          return {
            ruleId: finding.rule,
            ...(ruleIndex.has(finding.rule) ? { ruleIndex: ruleIndex.get(finding.rule) } : {}),
            level: LEVEL[coarseSeverity(finding.severity)],
            message: { text: t(finding.message) },
            locations: [{ physicalLocation: { artifactLocation, region: region(finding.range) } }],
            ...(finding.related?.length
              ? { relatedLocations: finding.related.map((r, id) => ({ id, message: { text: t(r.message) }, physicalLocation: { artifactLocation: r.file !== undefined ? { uri: encodeUri(r.file), uriBaseId: 'SRCROOT' } : artifactLocation, region: region(r.range) } })) }
              : {}),
            ...(fix && fix.edits.length
              ? {
                  fixes: [
                    {
                      description: { text: t(fix.title) },
                      artifactChanges: [
                        {
                          artifactLocation,
                          replacements: fix.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
                        },
                      ],
                    },
                  ],
                }
              : {}),
          };
        }),
      },
    ],
  };
}

function region(range: { start: { line: number; column: number }; end: { line: number; column: number } }): Sarif.Region {
  return { startLine: range.start.line + 1, startColumn: range.start.column + 1, endLine: range.end.line + 1, endColumn: range.end.column + 1 };
}

function encodeUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}
