// A lab read, split and validated, ready to execute; any problem is bad input.
import { resolveLab, type ResolvedLab } from '../lab/language/resolveLab';
import { BadInput, labProblemLines, readLab, type LabFile } from './problems';

export interface ValidLab extends LabFile {
  lab: ResolvedLab;
  params: Record<string, string>;
}

/** `moreProblems`: a command's own demands on the lab, reported together with the cells' problems. */
export function loadValidLab(
  file: string,
  params: Record<string, string> = {},
  moreProblems: (lab: LabFile) => string[] = () => [],
): ValidLab {
  const labFile = readLab(file);
  const lab = resolveLab(labFile.cells, { params });
  const problems = [...labProblemLines(file, labFile.cells, lab), ...moreProblems(labFile)];
  if (problems.length > 0) throw new BadInput(problems);
  return { ...labFile, lab, params };
}
