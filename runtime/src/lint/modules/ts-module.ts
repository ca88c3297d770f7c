/**
 * Static analysis of a TS/JS connector module with the TypeScript parser: top-level classes,
 * their `extends` clause, methods, exports, and bindings imported from `lmcache-connector-runtime`.
 * User code is never run.
 */
import type * as TS from "typescript";
import { typescript } from "../typescript";
import type { ClassInfo, ModuleInfo } from "./module-info";

/** The package connectors import their base classes from. */
export const RUNTIME_PACKAGE = "lmcache-connector-runtime";

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  const ts = typescript();
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function memberName(member: TS.ClassElement): string | null {
  const ts = typescript();
  if (!member.name) return null;
  if (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) || ts.isPrivateIdentifier(member.name)) return member.name.text;
  return null;
}

/** Parses and analyses one TS/JS module text. */
export function analyzeTsModule(file: string, text: string): ModuleInfo {
  const ts = typescript();
  const kind = /\.m?jsx?$/i.test(file) ? ts.ScriptKind.JS : /\.tsx$/i.test(file) ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const classes = new Map<string, ClassInfo>();
  const baseImports = new Map<string, string>();
  const exportedNames = new Set<string>();
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier) && stmt.moduleSpecifier.text === RUNTIME_PACKAGE) {
      const bindings = stmt.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) baseImports.set(el.name.text, (el.propertyName ?? el.name).text);
      } else if (bindings && ts.isNamespaceImport(bindings)) {
        for (const name of ["RemoteConnector", "ConnectorAdapter"]) baseImports.set(`${bindings.name.text}.${name}`, name);
      }
    } else if (ts.isClassDeclaration(stmt) && stmt.name) {
      let base: string | null = null;
      for (const clause of stmt.heritageClauses ?? []) {
        if (clause.token === ts.SyntaxKind.ExtendsKeyword && clause.types[0]) base = clause.types[0].expression.getText(sf);
      }
      const methods = new Set<string>();
      const asyncMethods = new Set<string>();
      for (const member of stmt.members) {
        const name = memberName(member);
        if (!name) continue;
        if (ts.isMethodDeclaration(member) && hasModifier(member, ts.SyntaxKind.AsyncKeyword)) asyncMethods.add(name);
        else if (ts.isPropertyDeclaration(member) && member.initializer && (ts.isArrowFunction(member.initializer) || ts.isFunctionExpression(member.initializer)) && hasModifier(member.initializer, ts.SyntaxKind.AsyncKeyword)) asyncMethods.add(name);
        if (ts.isMethodDeclaration(member) && member.body !== undefined && !hasModifier(member, ts.SyntaxKind.AbstractKeyword)) methods.add(name);
        else if (ts.isPropertyDeclaration(member) && member.initializer && (ts.isArrowFunction(member.initializer) || ts.isFunctionExpression(member.initializer))) methods.add(name);
        else if (ts.isMethodDeclaration(member) && kind === ts.ScriptKind.JS) methods.add(name);
      }
      classes.set(stmt.name.text, {
        name: stmt.name.text,
        start: stmt.name.getStart(sf),
        end: stmt.name.end,
        base,
        methods,
        asyncMethods,
        exported: hasModifier(stmt, ts.SyntaxKind.ExportKeyword) && !hasModifier(stmt, ts.SyntaxKind.DefaultKeyword),
        isAbstract: hasModifier(stmt, ts.SyntaxKind.AbstractKeyword),
      });
    } else if (ts.isExportDeclaration(stmt) && !stmt.moduleSpecifier && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
      for (const el of stmt.exportClause.elements) {
        if (!el.propertyName || el.propertyName.text === el.name.text) exportedNames.add(el.name.text);
      }
    }
  }
  for (const name of exportedNames) {
    const c = classes.get(name);
    if (c) c.exported = true;
  }
  return { file, language: "ts", classes, baseImports };
}
