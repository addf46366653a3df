/* Datasette 0.65.5's templates/_codemirror_foot.html script (Apache License 2.0), as a file so that pages
   need no inline script: CodeMirror on the SQL box, the "Formatera SQL" button, Shift+Enter runs the query. */
window.addEventListener("load", () => {
  const sqlFormat = document.querySelector("button#sql-format");
  const readOnly = document.querySelector("pre#sql-query");
  const sqlInput = document.querySelector("textarea#sql-editor");
  if (sqlFormat && !readOnly) {
    sqlFormat.hidden = false;
  }
  if (sqlInput && window.CodeMirror) {
    var editor = CodeMirror.fromTextArea(sqlInput, {
      lineNumbers: true,
      mode: "text/x-sql",
      lineWrapping: true,
      screenReaderLabel: sqlInput.getAttribute("aria-label") || "SQL-fråga",
    });
    editor.setOption("extraKeys", {
      "Shift-Enter": function () {
        document.getElementsByClassName("sql")[0].submit();
      },
      Tab: false,
    });
    if (sqlFormat) {
      sqlFormat.addEventListener("click", () => {
        editor.setValue(sqlFormatter.format(editor.getValue()));
      });
    }
    if (window.cmResize) {
      cmResize(editor, { resizableWidth: false });
    }
  }
  if (sqlFormat && readOnly && window.sqlFormatter) {
    const formatted = sqlFormatter.format(readOnly.innerHTML);
    if (formatted != readOnly.innerHTML) {
      sqlFormat.hidden = false;
      sqlFormat.addEventListener("click", () => {
        readOnly.innerHTML = formatted;
      });
    }
  }
});
