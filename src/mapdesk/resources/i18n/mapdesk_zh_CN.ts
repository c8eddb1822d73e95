<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name />
    <message>
        <source>Data</source>
        <extracomment>How close (pixels) a click must be to a camera to pick it. A press that moves less than this is a click. During a drag the plan layer is re-rendered at most this often (ms); the overlay is instant. After a filter change the numbers are recounted once the map shows it, or after this long (ms) when no frame comes.</extracomment>
        <translation>数据</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Protected trees</source>
        <translation>古树名木</translation>
    </message>
    <message>
        <source>Existing cameras</source>
        <translation>现有摄像头</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>Drag the map (the canvas's own tools)</source>
        <translation>拖动地图（地图自带工具）</translation>
    </message>
    <message>
        <source>Add camera</source>
        <translation>添加摄像头</translation>
    </message>
    <message>
        <source>Click on the map to place a camera facing north; drag while placing to aim it</source>
        <translation>在地图上点击放置朝北的摄像头；放置时拖动可调整朝向</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>Drag a camera; Shift+drag rotates it</source>
        <translation>拖动摄像头；Shift+拖动可旋转</translation>
    </message>
    <message>
        <source>Rotate</source>
        <translation>旋转</translation>
    </message>
    <message>
        <source>Drag around a camera to aim it</source>
        <translation>在摄像头周围拖动以调整朝向</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Click a camera to delete it</source>
        <translation>点击摄像头将其删除</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>No camera planned yet.</source>
        <translation>尚未规划摄像头。</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Covered now</source>
        <translation>当前已覆盖</translation>
    </message>
    <message>
        <source>With plan</source>
        <translation>规划后</translation>
    </message>
    <message>
        <source>Proposed cameras</source>
        <translation>规划摄像头</translation>
    </message>
    <message>
        <source>Direction (from north)</source>
        <translation>朝向（自正北）</translation>
    </message>
    <message>
        <source>Field of view</source>
        <translation>视场角</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>射程</translation>
    </message>
    <message>
        <source>Delete selected camera</source>
        <translation>删除选中的摄像头</translation>
    </message>
    <message>
        <source>Conflicts with tree protection zones</source>
        <translation>与古树保护范围的冲突</translation>
    </message>
    <message>
        <source>Suggest sites</source>
        <translation>推荐点位</translation>
    </message>
    <message>
        <source>Candidate sites</source>
        <translation>候选点位</translation>
    </message>
    <message>
        <source>Number of cameras (k)</source>
        <translation>摄像头数量（k）</translation>
    </message>
    <message>
        <source>Camera range</source>
        <translation>摄像头射程</translation>
    </message>
    <message>
        <source>Suggest k sites</source>
        <translation>推荐 k 个点位</translation>
    </message>
    <message>
        <source>Replace the plan with the k sites that newly cover the most incidents (outside tree protection zones)</source>
        <translation>用新增覆盖警情最多的 k 个点位替换规划（避开古树保护范围）</translation>
    </message>
    <message>
        <source>Save plan as layer…</source>
        <translation>将规划保存为图层…</translation>
    </message>
    <message>
        <source>Print plan…</source>
        <translation>打印规划…</translation>
    </message>
</context>
<context>
    <name>AnalysisDock</name>
    <message>
        <source>Summaries of analyses appear here.</source>
        <translation>分析结果摘要显示在这里。</translation>
    </message>
    <message>
        <source>sites</source>
        <translation>点位</translation>
    </message>
    <message>
        <source>cells</source>
        <translation>格网</translation>
    </message>
    <message>
        <source>zones</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>uncovered</source>
        <translation>未覆盖</translation>
    </message>
    <message>
        <source>coverage</source>
        <translation>覆盖范围</translation>
    </message>
    <message>
        <source>uncovered clusters</source>
        <translation>未覆盖聚集区</translation>
    </message>
    <message>
        <source>study areas</source>
        <translation>研究区域</translation>
    </message>
    <message>
        <source>{0}: {1} new layer(s)</source>
        <translation>{0}：新增 {1} 个图层</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Restore unsaved work?</source>
        <translation>恢复未保存的工作？</translation>
    </message>
    <message>
        <source>mapdesk did not close properly. An autosaved copy of your project from {0} exists. Restore it?</source>
        <translation>mapdesk 上次未正常关闭。存在 {0} 自动保存的项目副本。是否恢复？</translation>
    </message>
    <message>
        <source>Cannot restore</source>
        <translation>无法恢复</translation>
    </message>
    <message>
        <source>The sample project {0} is not there; starting with an empty project.</source>
        <translation>未找到示例项目 {0}；已打开空项目。</translation>
    </message>
</context>
<context>
    <name>AttributeTable</name>
    <message>
        <source>Selected only</source>
        <extracomment>After a filter change the table repaints once the map shows the change (see :meth:`AttributeTable.map_frame_shown`), or after this long (ms) when no frame comes.</extracomment>
        <translation>仅显示选中</translation>
    </message>
    <message>
        <source>Zoom to selection</source>
        <translation>缩放到选中</translation>
    </message>
    <message>
        <source>Zoom the map to the selected features (Ctrl+J)</source>
        <translation>将地图缩放到选中要素（Ctrl+J）</translation>
    </message>
    <message>
        <source>Clear selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the selected rows (or all shown rows when nothing is selected) as CSV or GeoPackage</source>
        <translation>将选中的行（未选中时为全部显示的行）保存为 CSV 或 GeoPackage</translation>
    </message>
    <message>
        <source>No layer</source>
        <translation>无图层</translation>
    </message>
    <message>
        <source>{0}: {1} rows shown, {2} selected</source>
        <translation>{0}：显示 {1} 行，选中 {2} 行</translation>
    </message>
</context>
<context>
    <name>CameraPage</name>
    <message>
        <source>Camera planning</source>
        <translation>监控点位规划</translation>
    </message>
    <message>
        <source>Which incidents existing cameras cover, where the next cameras would cover most, and the before/after effect.</source>
        <translation>现有摄像头覆盖了哪些警情，新增摄像头放在哪里覆盖最多，以及建设前后的效果。</translation>
    </message>
    <message>
        <source>Coverage of existing cameras</source>
        <translation>现有摄像头覆盖情况</translation>
    </message>
    <message>
        <source>Suggest new sites</source>
        <translation>推荐新点位</translation>
    </message>
    <message>
        <source>Before/after impact</source>
        <translation>建设前后效果</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>New cameras</source>
        <translation>新增摄像头数</translation>
    </message>
    <message>
        <source>Radius without direction</source>
        <translation>无朝向时的半径</translation>
    </message>
    <message>
        <source>Coverage by number of new cameras</source>
        <translation>按新增摄像头数的覆盖率</translation>
    </message>
    <message>
        <source>new cameras</source>
        <translation>新增摄像头</translation>
    </message>
    <message>
        <source>% of incidents covered</source>
        <translation>覆盖警情占比（%）</translation>
    </message>
    <message>
        <source>Covered area</source>
        <translation>覆盖区</translation>
    </message>
    <message>
        <source>Buffer</source>
        <translation>缓冲区</translation>
    </message>
    <message>
        <source>Control area</source>
        <translation>对照区</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>之前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>之后</translation>
    </message>
    <message>
        <source>Incidents before and after the cameras</source>
        <translation>摄像头建设前后的警情数</translation>
    </message>
    <message>
        <source>incidents</source>
        <translation>警情</translation>
    </message>
</context>
<context>
    <name>ChartWidget</name>
    <message>
        <source>Save PNG…</source>
        <translation>保存 PNG…</translation>
    </message>
    <message>
        <source>Save this chart as a PNG image (1200 × 600)</source>
        <translation>将此图表保存为 PNG 图片（1200 × 600）</translation>
    </message>
    <message>
        <source>Save chart</source>
        <translation>保存图表</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Cannot save chart</source>
        <translation>无法保存图表</translation>
    </message>
</context>
<context>
    <name>ColorButton</name>
    <message>
        <source>Choose a colour</source>
        <translation>选择颜色</translation>
    </message>
</context>
<context>
    <name>ConnectionsDialog</name>
    <message>
        <source>Database connections</source>
        <translation>数据库连接</translation>
    </message>
    <message>
        <source>localhost (or PGHOST)</source>
        <translation>localhost（或 PGHOST）</translation>
    </message>
    <message>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>optional: a name from pg_service.conf</source>
        <translation>可选：pg_service.conf 中的服务名</translation>
    </message>
    <message>
        <source>leave empty to use the keyring, ~/.pgpass or to be asked</source>
        <translation>留空则使用系统密钥环、~/.pgpass 或运行时询问</translation>
    </message>
    <message>
        <source>Save the password in the system keyring</source>
        <translation>将密码保存到系统密钥环</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>服务</translation>
    </message>
    <message>
        <source>SSL mode</source>
        <translation>SSL 模式</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>A new connection: fill in the fields and press Save.</source>
        <translation>新连接：填写各项后点击“保存”。</translation>
    </message>
    <message>
        <source>Give the connection a name (without '/').</source>
        <translation>请为连接命名（不含“/”）。</translation>
    </message>
    <message>
        <source>Fill in at least a host, a database or a service.</source>
        <translation>请至少填写主机、数据库或服务之一。</translation>
    </message>
    <message>
        <source>The connection could not be saved: {0}</source>
        <translation>无法保存连接：{0}</translation>
    </message>
    <message>
        <source>Saved {0} as a new connection; {1} is kept, since projects refer to connections by name (remove it if nothing uses it).</source>
        <translation>已将 {0} 保存为新连接；{1} 仍保留，因为项目按名称引用连接（若无项目使用可将其删除）。</translation>
    </message>
    <message>
        <source>Saved {0}.</source>
        <translation>已保存 {0}。</translation>
    </message>
    <message>
        <source>The password is in the system keyring.</source>
        <translation>密码已保存在系统密钥环中。</translation>
    </message>
    <message>
        <source>No system keyring is available: the password is kept until mapdesk closes and asked again next time.</source>
        <translation>没有可用的系统密钥环：密码保留到 mapdesk 关闭，下次将再次询问。</translation>
    </message>
    <message>
        <source>The password is kept until mapdesk closes.</source>
        <translation>密码保留到 mapdesk 关闭。</translation>
    </message>
    <message>
        <source>Remove connection</source>
        <translation>删除连接</translation>
    </message>
    <message>
        <source>Remove the connection {0}? Layers using it stay in their projects but cannot load until it exists again.</source>
        <translation>删除连接 {0}？使用它的图层仍保留在项目中，但在连接重新建立前无法加载。</translation>
    </message>
    <message>
        <source>Removed {0}.</source>
        <translation>已删除 {0}。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Testing {0}</source>
        <translation>正在测试 {0}</translation>
    </message>
    <message>
        <source>Connected: {0}</source>
        <translation>已连接：{0}</translation>
    </message>
    <message>
        <source>Cannot connect: {0}</source>
        <translation>无法连接：{0}</translation>
    </message>
    <message>
        <source>Connection failed</source>
        <translation>连接失败</translation>
    </message>
</context>
<context>
    <name>DatabaseActions</name>
    <message>
        <source>&amp;Connections…</source>
        <translation>连接(&amp;C)…</translation>
    </message>
    <message>
        <source>Add, edit, test or remove PostGIS connections</source>
        <translation>添加、编辑、测试或删除 PostGIS 连接</translation>
    </message>
    <message>
        <source>Add &amp;PostGIS layer…</source>
        <translation>添加 PostGIS 图层(&amp;P)…</translation>
    </message>
    <message>
        <source>Browse the tables of a connection and add them as layers</source>
        <translation>浏览连接中的表并添加为图层</translation>
    </message>
    <message>
        <source>&amp;Save layer to database…</source>
        <translation>将图层保存到数据库(&amp;S)…</translation>
    </message>
    <message>
        <source>Write the current layer to a PostGIS table in one transaction</source>
        <translation>在一个事务中将当前图层写入 PostGIS 表</translation>
    </message>
    <message>
        <source>&amp;Reload from database</source>
        <translation>从数据库重新加载(&amp;R)</translation>
    </message>
    <message>
        <source>Read the current database layer again (after the server was down)</source>
        <translation>重新读取当前数据库图层（服务器恢复后）</translation>
    </message>
    <message>
        <source>&amp;Database</source>
        <translation>数据库(&amp;D)</translation>
    </message>
    <message>
        <source>Reload from database</source>
        <translation>从数据库重新加载</translation>
    </message>
    <message>
        <source>Save to database…</source>
        <translation>保存到数据库…</translation>
    </message>
    <message>
        <source>Save to database</source>
        <translation>保存到数据库</translation>
    </message>
    <message>
        <source>Choose a vector layer with features first.</source>
        <translation>请先选择一个含要素的矢量图层。</translation>
    </message>
    <message>
        <source>Saved {0} rows to {1}</source>
        <translation>已将 {0} 行保存到 {1}</translation>
    </message>
    <message>
        <source>Loading {0}</source>
        <translation>正在加载 {0}</translation>
    </message>
    <message>
        <source>{0}: about {1} rows, drawn from the server per view (density when zoomed out); the table and analyses use the rows fetched for the view</source>
        <translation>{0}：约 {1} 行，按视图从服务器读取绘制（缩小时显示密度）；属性表和分析使用当前视图读取的行</translation>
    </message>
    <message>
        <source>{0}: {1} rows loaded from the database</source>
        <translation>{0}：已从数据库加载 {1} 行</translation>
    </message>
    <message>
        <source>Cannot add layer</source>
        <translation>无法添加图层</translation>
    </message>
    <message>
        <source>{0} could not be loaded:
{1}</source>
        <translation>无法加载 {0}：
{1}</translation>
    </message>
    <message>
        <source>{0} is still unavailable: {1}</source>
        <translation>{0} 仍不可用：{1}</translation>
    </message>
    <message>
        <source>Reloading {0}</source>
        <translation>正在重新加载 {0}</translation>
    </message>
    <message>
        <source>{0}: the database cannot be reached; the layer is marked. Use Reload when the server is back.</source>
        <translation>{0}：无法连接数据库，图层已标记。服务器恢复后请使用“重新加载”。</translation>
    </message>
</context>
<context>
    <name>DbBrowser</name>
    <message>
        <source>Add PostGIS layer</source>
        <translation>添加 PostGIS 图层</translation>
    </message>
    <message>
        <source>A saved connection, or a postgresql://user@host:port/db URI</source>
        <translation>已保存的连接，或 postgresql://用户@主机:端口/数据库 形式的 URI</translation>
    </message>
    <message>
        <source>Connections…</source>
        <translation>连接…</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>表</translation>
    </message>
    <message>
        <source>Geometry column</source>
        <translation>几何列</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>SRID</source>
        <translation>SRID</translation>
    </message>
    <message>
        <source>Rows (estimated)</source>
        <translation>行数（估计）</translation>
    </message>
    <message>
        <source>Spatial index</source>
        <translation>空间索引</translation>
    </message>
    <message>
        <source>Create index</source>
        <translation>创建索引</translation>
    </message>
    <message>
        <source>Add layers</source>
        <translation>添加图层</translation>
    </message>
    <message>
        <source>Choose a connection (Connections… adds one).</source>
        <translation>请选择连接（“连接…”可新增）。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Listing tables</source>
        <translation>正在列出表</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <source>no</source>
        <translation>无</translation>
    </message>
    <message>
        <source>{0} tables with geometry.</source>
        <translation>{0} 个含几何列的表。</translation>
    </message>
    <message>
        <source>No table with a geometry column in this database.</source>
        <translation>该数据库中没有含几何列的表。</translation>
    </message>
    <message>
        <source>No spatial index on {0}: every view of the map reads the whole table. Create one (a GiST index) to make it fast.</source>
        <translation>{0} 没有空间索引：地图每次刷新都会读取整个表。请创建 GiST 索引以加快速度。</translation>
    </message>
    <message>
        <source>Creating the spatial index…</source>
        <translation>正在创建空间索引…</translation>
    </message>
    <message>
        <source>Created {0}.</source>
        <translation>已创建 {0}。</translation>
    </message>
    <message>
        <source>The index could not be created: {0}</source>
        <translation>无法创建索引：{0}</translation>
    </message>
    <message>
        <source>Creating index</source>
        <translation>正在创建索引</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>Print map</source>
        <translation>打印地图</translation>
    </message>
    <message>
        <source>Export map</source>
        <translation>导出地图</translation>
    </message>
    <message>
        <source>Portrait</source>
        <translation>纵向</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>横向</translation>
    </message>
    <message>
        <source>today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Legend</source>
        <translation>图例</translation>
    </message>
    <message>
        <source>Scale bar</source>
        <translation>比例尺</translation>
    </message>
    <message>
        <source>North arrow</source>
        <translation>指北针</translation>
    </message>
    <message>
        <source>Overview map</source>
        <translation>鹰眼图</translation>
    </message>
    <message>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>纸张</translation>
    </message>
    <message>
        <source>Orientation</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Margins</source>
        <translation>页边距</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Subtitle</source>
        <translation>副标题</translation>
    </message>
    <message>
        <source>Author / unit</source>
        <translation>编制人 / 单位</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Page</source>
        <translation>页面</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Print preview…</source>
        <translation>打印预览…</translation>
    </message>
    <message>
        <source>Web map preview…</source>
        <translation>网页地图预览…</translation>
    </message>
    <message>
        <source>The interactive HTML map as it opens offline</source>
        <translation>可离线打开的交互式 HTML 地图</translation>
    </message>
    <message>
        <source>Needs QtWebEngine (PySide6-Addons)</source>
        <translation>需要 QtWebEngine（PySide6-Addons）</translation>
    </message>
    <message>
        <source>of {0}</source>
        <translation>共 {0} 页</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Wrote {0}</source>
        <translation>已写入 {0}</translation>
    </message>
    <message>
        <source>Exported with warnings</source>
        <translation>导出完成（有警告）</translation>
    </message>
    <message>
        <source>Printing failed</source>
        <translation>打印失败</translation>
    </message>
    <message>
        <source>Web preview failed</source>
        <translation>网页预览失败</translation>
    </message>
    <message>
        <source>Web map preview</source>
        <translation>网页地图预览</translation>
    </message>
</context>
<context>
    <name>FilterPanel</name>
    <message>
        <source>{0} of {1} incidents</source>
        <translation>{0} / {1} 起警情</translation>
    </message>
    <message>
        <source>{0} of {1} trees</source>
        <translation>{0} / {1} 株树木</translation>
    </message>
    <message>
        <source>{0} of {1} cameras</source>
        <translation>{0} / {1} 个摄像头</translation>
    </message>
    <message>
        <source>{0} of {1} features</source>
        <translation>{0} / {1} 个要素</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Remove every condition of this layer's filter</source>
        <translation>清除此图层筛选的全部条件</translation>
    </message>
    <message>
        <source>Select a vector layer to filter it.</source>
        <translation>请选择一个矢量图层进行筛选。</translation>
    </message>
    <message>
        <source>{0}: nothing to filter</source>
        <translation>{0}：没有可筛选的内容</translation>
    </message>
    <message>
        <source>Filter of &lt;b&gt;{0}&lt;/b&gt;</source>
        <translation>&lt;b&gt;{0}&lt;/b&gt; 的筛选</translation>
    </message>
    <message>
        <source>Ranges</source>
        <translation>数值范围</translation>
    </message>
    <message>
        <source>Expression</source>
        <translation>表达式</translation>
    </message>
    <message>
        <source>e.g. age_years &gt;= 100 and dbh_cm &gt; 40</source>
        <translation>例如 age_years &gt;= 100 and dbh_cm &gt; 40</translation>
    </message>
    <message>
        <source>A pandas expression over the layer's columns; applied when you press Enter</source>
        <translation>基于图层字段的 pandas 表达式；按回车键生效</translation>
    </message>
    <message>
        <source>Time ({0})</source>
        <translation>时间（{0}）</translation>
    </message>
    <message>
        <source>Only dates from</source>
        <translation>仅限日期</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Time of day</source>
        <translation>时段</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>Weekdays</source>
        <translation>星期</translation>
    </message>
</context>
<context>
    <name>HotspotPage</name>
    <message>
        <source>Hotspots</source>
        <translation>热点分析</translation>
    </message>
    <message>
        <source>Where incidents concentrate: kernel density, counts per square or hexagon, or Getis-Ord Gi* hot and cold spots. 0 m means automatic.</source>
        <translation>警情聚集在哪里：核密度、方格或六边形计数，或 Getis-Ord Gi* 冷热点。0 米表示自动。</translation>
    </message>
    <message>
        <source>Kernel density (KDE)</source>
        <translation>核密度（KDE）</translation>
    </message>
    <message>
        <source>Square grid counts</source>
        <translation>方格计数</translation>
    </message>
    <message>
        <source>Hexagon counts</source>
        <translation>六边形计数</translation>
    </message>
    <message>
        <source>Gi* hot spots</source>
        <translation>Gi* 热点</translation>
    </message>
    <message>
        <source>Last 28 days against the 28 before</source>
        <translation>近 28 天与此前 28 天对比</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Cell size</source>
        <translation>格网大小</translation>
    </message>
    <message>
        <source>Bandwidth</source>
        <translation>带宽</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Density follows the filter and time window</source>
        <translation>密度随筛选和时间窗口更新</translation>
    </message>
    <message>
        <source>Recompute the density surface whenever the incidents' filter or time window changes</source>
        <translation>警情的筛选或时间窗口改变时重新计算密度面</translation>
    </message>
    <message>
        <source>{0} is kept on the database server: this analysis uses the {1:,} rows fetched for the current view. Square and hexagon counts run on the server over the whole table.</source>
        <translation>{0} 保存在数据库服务器上：本分析仅使用为当前视图获取的 {1:,} 行。方格和六边形计数由服务器对整张表进行。</translation>
    </message>
</context>
<context>
    <name>JobProgress</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running job</source>
        <translation>停止正在运行的任务</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <extracomment>jobs that end sooner than this never flash a progress bar</extracomment>
        <translation>正在取消…</translation>
    </message>
</context>
<context>
    <name>LayerCombo</name>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>LayerListModel</name>
    <message>
        <source>Source: {0}</source>
        <translation>来源：{0}</translation>
    </message>
    <message>
        <source>Role: {0}</source>
        <translation>类型：{0}</translation>
    </message>
    <message>
        <source>PostGIS table of about {0} rows, drawn from the server per view</source>
        <translation>PostGIS 表，约 {0} 行，按视图从服务器读取绘制</translation>
    </message>
    <message>
        <source>{0} of {1} features shown</source>
        <translation>显示 {0} / {1} 个要素</translation>
    </message>
    <message>
        <source>File not found: {0}</source>
        <translation>找不到文件：{0}</translation>
    </message>
    <message>
        <source>Cannot be read: {0}</source>
        <translation>无法读取：{0}</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Add a layer from a file (Ctrl+L)</source>
        <extracomment>callables ``(menu, layer)`` adding entries to the layer's context menu (database)</extracomment>
        <translation>从文件添加图层（Ctrl+L）</translation>
    </message>
    <message>
        <source>Remove the selected layer</source>
        <translation>移除选中的图层</translation>
    </message>
    <message>
        <source>Move the layer up (drawn later, on top)</source>
        <translation>上移图层（后绘制，位于上层）</translation>
    </message>
    <message>
        <source>Move the layer down</source>
        <translation>下移图层</translation>
    </message>
    <message>
        <source>Zoom to the layer</source>
        <translation>缩放到图层</translation>
    </message>
    <message>
        <source>Layer properties: style, role and fields</source>
        <translation>图层属性：样式、类型和字段</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Opacity of the selected layer</source>
        <translation>选中图层的不透明度</translation>
    </message>
    <message>
        <source>Tick to show, drag to reorder, double-click for properties</source>
        <translation>勾选以显示，拖动以排序，双击打开属性</translation>
    </message>
    <message>
        <source>Untick to hide this category on the map</source>
        <translation>取消勾选以在地图上隐藏此类别</translation>
    </message>
    <message>
        <source>Zoom to layer</source>
        <translation>缩放到图层</translation>
    </message>
    <message>
        <source>Properties…</source>
        <translation>属性…</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Area</source>
        <translation>面积</translation>
    </message>
    <message>
        <source>Lon {0:.5f}°  Lat {1:.5f}°</source>
        <translation>经度 {0:.5f}°  纬度 {1:.5f}°</translation>
    </message>
    <message>
        <source>Scale 1:{0}</source>
        <translation>比例尺 1:{0}</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>, {0} selected</source>
        <translation>，选中 {0}</translation>
    </message>
    <message>
        <source>&amp;New project</source>
        <translation>新建项目(&amp;N)</translation>
    </message>
    <message>
        <source>Start an empty project</source>
        <translation>新建一个空项目</translation>
    </message>
    <message>
        <source>&amp;Open project…</source>
        <translation>打开项目(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a mapdesk project (*.mapdesk.json)</source>
        <translation>打开 mapdesk 项目（*.mapdesk.json）</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save the project</source>
        <translation>保存项目</translation>
    </message>
    <message>
        <source>Save project &amp;as…</source>
        <translation>项目另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Save the project under a new name</source>
        <translation>以新名称保存项目</translation>
    </message>
    <message>
        <source>Add &amp;layer…</source>
        <translation>添加图层(&amp;L)…</translation>
    </message>
    <message>
        <source>Add layers from files (GeoPackage, Shapefile, GeoJSON, CSV, Excel, GeoParquet)</source>
        <translation>从文件添加图层（GeoPackage、Shapefile、GeoJSON、CSV、Excel、GeoParquet）</translation>
    </message>
    <message>
        <source>&amp;Export selection…</source>
        <translation>导出选中(&amp;E)…</translation>
    </message>
    <message>
        <source>Save the selected features as CSV or GeoPackage</source>
        <translation>将选中要素保存为 CSV 或 GeoPackage</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Close mapdesk</source>
        <translation>关闭 mapdesk</translation>
    </message>
    <message>
        <source>Export &amp;map…</source>
        <translation>导出地图(&amp;M)…</translation>
    </message>
    <message>
        <source>Page layout with legend, scale bar and title to PDF, PNG or SVG</source>
        <translation>带图例、比例尺和标题的页面布局，导出为 PDF、PNG 或 SVG</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <source>Print the map with its page layout</source>
        <translation>按页面布局打印地图</translation>
    </message>
    <message>
        <source>Clear selection</source>
        <translation>清除选择</translation>
    </message>
    <message>
        <source>Deselect every feature of the current layer</source>
        <translation>取消当前图层所有要素的选择</translation>
    </message>
    <message>
        <source>Layer &amp;properties…</source>
        <translation>图层属性(&amp;P)…</translation>
    </message>
    <message>
        <source>Style, role and field mapping of the current layer</source>
        <translation>当前图层的样式、类型和字段映射</translation>
    </message>
    <message>
        <source>&amp;Remove layer</source>
        <translation>移除图层(&amp;R)</translation>
    </message>
    <message>
        <source>Remove the current layer from the project</source>
        <translation>从项目中移除当前图层</translation>
    </message>
    <message>
        <source>Zoom to &amp;layer</source>
        <translation>缩放到图层(&amp;L)</translation>
    </message>
    <message>
        <source>Show the whole current layer</source>
        <translation>显示整个当前图层</translation>
    </message>
    <message>
        <source>Zoom to &amp;all</source>
        <translation>全图显示(&amp;A)</translation>
    </message>
    <message>
        <source>Show every layer</source>
        <translation>显示所有图层</translation>
    </message>
    <message>
        <source>Zoom to &amp;selection</source>
        <translation>缩放到选中(&amp;S)</translation>
    </message>
    <message>
        <source>Show the selected features</source>
        <translation>显示选中的要素</translation>
    </message>
    <message>
        <source>Play / pause time</source>
        <translation>播放/暂停时间</translation>
    </message>
    <message>
        <source>Start or stop the time window animation</source>
        <translation>开始或停止时间窗口动画</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>Drag to move the map, wheel to zoom (P)</source>
        <translation>拖动移动地图，滚轮缩放（P）</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>识别</translation>
    </message>
    <message>
        <source>Click a feature to see its attributes (I)</source>
        <translation>点击要素查看属性（I）</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>Drag a rectangle to select features (S)</source>
        <translation>拖出矩形选择要素（S）</translation>
    </message>
    <message>
        <source>Measure distance</source>
        <translation>测距离</translation>
    </message>
    <message>
        <source>Click points, double-click to finish (D)</source>
        <translation>逐点单击，双击结束（D）</translation>
    </message>
    <message>
        <source>Measure area</source>
        <translation>测面积</translation>
    </message>
    <message>
        <source>Click a polygon, double-click to finish (A)</source>
        <translation>单击绘制多边形，双击结束（A）</translation>
    </message>
    <message>
        <source>&amp;About mapdesk</source>
        <translation>关于 mapdesk(&amp;A)</translation>
    </message>
    <message>
        <source>Version, data sources and licences</source>
        <translation>版本、数据来源和许可</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>List the keyboard shortcuts</source>
        <translation>列出键盘快捷键</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Undo the last change (Ctrl+Z)</source>
        <translation>撤销上一步更改（Ctrl+Z）</translation>
    </message>
    <message>
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation>重做（Ctrl+Shift+Z）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Recent &amp;projects</source>
        <translation>最近的项目(&amp;P)</translation>
    </message>
    <message>
        <source>Recent &amp;files</source>
        <translation>最近的文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>面板(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Layer</source>
        <translation>图层(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Analysis</source>
        <translation>分析(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Autosave</source>
        <translation>自动保存(&amp;A)</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Every {0} min</source>
        <translation>每 {0} 分钟</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>筛选</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Attribute table</source>
        <translation>属性表</translation>
    </message>
    <message>
        <source>Tree inspector</source>
        <translation>古树档案</translation>
    </message>
    <message>
        <source>Tree</source>
        <translation>古树</translation>
    </message>
    <message>
        <source>Tree registry</source>
        <translation>古树名录</translation>
    </message>
    <message>
        <source>Registry</source>
        <translation>名录</translation>
    </message>
    <message>
        <source>Camera plan</source>
        <translation>摄像头规划</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>规划</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The project has unsaved changes. Save them first?</source>
        <translation>项目有未保存的更改。是否先保存？</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>mapdesk projects (*.mapdesk.json *.json)</source>
        <translation>mapdesk 项目（*.mapdesk.json *.json）</translation>
    </message>
    <message>
        <source>Cannot open project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>{0} could not be read: {1}</source>
        <translation>无法读取 {0}：{1}</translation>
    </message>
    <message>
        <source>Some layers could not be loaded</source>
        <translation>部分图层未能加载</translation>
    </message>
    <message>
        <source>These layers stay in the project, marked in red, so nothing is lost. Fix or remove them:

{0}</source>
        <translation>这些图层仍保留在项目中并以红色标出，不会丢失任何内容。请修复或移除：

{0}</translation>
    </message>
    <message>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <source>mapdesk projects (*.mapdesk.json)</source>
        <translation>mapdesk 项目（*.mapdesk.json）</translation>
    </message>
    <message>
        <source>Cannot save project</source>
        <translation>无法保存项目</translation>
    </message>
    <message>
        <source>The project was not saved (your data are unchanged):
{0}</source>
        <translation>项目未保存（您的数据没有改变）：
{0}</translation>
    </message>
    <message>
        <source>Saved {0}</source>
        <translation>已保存 {0}</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Add layers</source>
        <translation>添加图层</translation>
    </message>
    <message>
        <source>Geodata (*.gpkg *.geojson *.json *.shp *.csv *.xlsx *.xls *.parquet *.fgb *.kml *.zip);;All files (*)</source>
        <translation>地理数据 (*.gpkg *.geojson *.json *.shp *.csv *.xlsx *.xls *.parquet *.fgb *.kml *.zip);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Loading {0}</source>
        <translation>正在加载 {0}</translation>
    </message>
    <message>
        <source>Cannot add layer</source>
        <translation>无法添加图层</translation>
    </message>
    <message>
        <source>{0} could not be loaded:
{1}</source>
        <translation>无法加载 {0}：
{1}</translation>
    </message>
    <message>
        <source>{0}: about {1:,} rows kept on the database server; the map fetches what the view shows</source>
        <translation>{0}：约 {1:,} 行保存在数据库服务器上；地图只获取当前视图所需的数据</translation>
    </message>
    <message>
        <source>Load report</source>
        <translation>加载报告</translation>
    </message>
    <message>
        <source>{0} was loaded with notes. Rows that could not be used were skipped:</source>
        <translation>{0} 已加载，但有提示。无法使用的行已跳过：</translation>
    </message>
    <message>
        <source>Properties of {0}</source>
        <translation>{0} 的属性</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>There are no rows to export.</source>
        <translation>没有可导出的行。</translation>
    </message>
    <message>
        <source>Export rows</source>
        <translation>导出行</translation>
    </message>
    <message>
        <source>CSV (*.csv);;GeoPackage (*.gpkg)</source>
        <translation>CSV (*.csv);;GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Exported {0} rows to {1}</source>
        <translation>已导出 {0} 行到 {1}</translation>
    </message>
    <message>
        <source>Add analysis results</source>
        <translation>添加分析结果</translation>
    </message>
    <message>
        <source>Autosave failed: {0}</source>
        <translation>自动保存失败：{0}</translation>
    </message>
    <message>
        <source>A job is running</source>
        <translation>任务正在运行</translation>
    </message>
    <message>
        <source>A background job is still running. Cancel it and close?</source>
        <translation>后台任务仍在运行。是否取消任务并关闭？</translation>
    </message>
    <message>
        <source>About mapdesk</source>
        <translation>关于 mapdesk</translation>
    </message>
    <message>
        <source>&lt;p&gt;Desktop GIS for protected city trees, theft hotspots and CCTV camera planning. Works fully offline.&lt;/p&gt;</source>
        <translation>&lt;p&gt;用于古树名木保护、盗窃热点分析和视频监控点位规划的桌面 GIS，可完全离线使用。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Sample data are synthetic&lt;/b&gt;: generated for demonstration; they do not describe real incidents, trees or cameras.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;示例数据为模拟数据&lt;/b&gt;：仅为演示而生成，不代表真实的警情、树木或摄像头。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Data attributions: basemap tiles as credited on the map (none by default; OpenStreetMap contributors, ODbL, when an OSM tile package is used). Bundled font: Noto Sans CJK SC, SIL Open Font License.&lt;/p&gt;</source>
        <translation>&lt;p&gt;数据来源：底图瓦片以地图上的署名为准（默认无底图；使用 OSM 瓦片包时为 OpenStreetMap 贡献者，ODbL）。内置字体：Noto Sans CJK SC，SIL 开放字体许可。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Built with Qt for Python (PySide6, LGPL), GeoPandas, Shapely, pyogrio/GDAL, pyproj/PROJ, NumPy, pandas and SciPy.&lt;/p&gt;</source>
        <translation>&lt;p&gt;基于 Qt for Python（PySide6，LGPL）、GeoPandas、Shapely、pyogrio/GDAL、pyproj/PROJ、NumPy、pandas 和 SciPy 构建。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;The open project is marked as synthetic sample data.&lt;/p&gt;</source>
        <translation>&lt;p&gt;当前项目标记为模拟示例数据。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Database password</source>
        <translation>数据库密码</translation>
    </message>
    <message>
        <source>The password is kept in memory until mapdesk closes; it is never saved in the project.</source>
        <translation>密码仅保存在内存中直到 mapdesk 关闭，绝不会写入项目文件。</translation>
    </message>
</context>
<context>
    <name>PlanningPanel</name>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>(generated around incidents)</source>
        <translation>（围绕警情自动生成）</translation>
    </message>
    <message>
        <source>Add an incident layer to plan cameras.</source>
        <translation>请先添加警情图层再规划摄像头。</translation>
    </message>
    <message>
        <source>Camera plan</source>
        <translation>摄像头规划</translation>
    </message>
    <message>
        <source>Proposed camera</source>
        <translation>规划摄像头</translation>
    </message>
    <message>
        <source>Inside a tree protection zone</source>
        <translation>位于古树保护范围内</translation>
    </message>
    <message>
        <source>e-bike thefts</source>
        <translation>电动车被盗</translation>
    </message>
    <message>
        <source>other thefts</source>
        <translation>其他盗窃</translation>
    </message>
    <message>
        <source>frauds</source>
        <translation>诈骗</translation>
    </message>
    <message>
        <source>disputes</source>
        <translation>纠纷</translation>
    </message>
    <message>
        <source>dog-related calls</source>
        <translation>涉犬警情</translation>
    </message>
    <message>
        <source>help requests</source>
        <translation>求助</translation>
    </message>
    <message>
        <source>other incidents</source>
        <translation>其他警情</translation>
    </message>
    <message>
        <source>No camera planned yet.</source>
        <translation>尚未规划摄像头。</translation>
    </message>
    <message>
        <source>Plan covers %1 more incidents (+%2 %)</source>
        <translation>规划新增覆盖 %1 起警情（+%2 %）</translation>
    </message>
    <message>
        <source>%1 +%2 %</source>
        <translation>%1 +%2 %</translation>
    </message>
    <message>
        <source>Covered: %1 % now → %2 % with the plan, of %3 incidents (filtered); %4 cameras planned</source>
        <translation>覆盖率：当前 %1 % → 规划后 %2 %，共 %3 起警情（已筛选）；规划 %4 个摄像头</translation>
    </message>
    <message>
        <source>all round</source>
        <translation>全向</translation>
    </message>
    <message>
        <source>%1  %2, %3 m  +%4 incidents</source>
        <translation>%1  %2，%3 米  +%4 起警情</translation>
    </message>
    <message>
        <source> (grade %1)</source>
        <translation>（%1 级）</translation>
    </message>
    <message>
        <source>%1 is inside the protection zone of tree %2%3, %4 m from the trunk</source>
        <translation>%1 位于古树 %2%3 的保护范围内，距树干 %4 米</translation>
    </message>
    <message>
        <source>No proposed camera is inside a protection zone.</source>
        <translation>没有规划摄像头位于保护范围内。</translation>
    </message>
    <message>
        <source>Conflicts with tree protection zones: %1</source>
        <translation>与古树保护范围的冲突：%1</translation>
    </message>
    <message>
        <source>direction</source>
        <translation>朝向</translation>
    </message>
    <message>
        <source>field of view</source>
        <translation>视场角</translation>
    </message>
    <message>
        <source>range</source>
        <translation>射程</translation>
    </message>
    <message>
        <source>Set %1 of %2</source>
        <translation>设置 %2 的%1</translation>
    </message>
    <message>
        <source>Delete %1</source>
        <translation>删除 %1</translation>
    </message>
    <message>
        <source>Add %1</source>
        <translation>添加 %1</translation>
    </message>
    <message>
        <source>Move %1</source>
        <translation>移动 %1</translation>
    </message>
    <message>
        <source>Rotate %1</source>
        <translation>旋转 %1</translation>
    </message>
    <message>
        <source>Searching for the best %1 sites…</source>
        <translation>正在寻找最佳的 %1 个点位…</translation>
    </message>
    <message>
        <source>Suggest %1 sites</source>
        <translation>推荐 %1 个点位</translation>
    </message>
    <message>
        <source>%1 sites suggested; they newly cover %2 incidents.</source>
        <translation>推荐 %1 个点位；新增覆盖 %2 起警情。</translation>
    </message>
    <message>
        <source>%1 candidate sites inside tree protection zones were left out.</source>
        <translation>%1 个候选点位位于古树保护范围内，已排除。</translation>
    </message>
    <message>
        <source>No sites suggested: %1</source>
        <translation>未推荐点位：%1</translation>
    </message>
    <message>
        <source>Save plan as layer</source>
        <translation>将规划保存为图层</translation>
    </message>
    <message>
        <source>GeoPackage (*.gpkg);;GeoJSON (*.geojson)</source>
        <translation>GeoPackage (*.gpkg);;GeoJSON (*.geojson)</translation>
    </message>
    <message>
        <source>Save plan</source>
        <translation>保存规划</translation>
    </message>
    <message>
        <source>Plan saved to %1 (layer “%2”).</source>
        <translation>规划已保存到 %1（图层“%2”）。</translation>
    </message>
    <message>
        <source>… and %1 more conflicts</source>
        <translation>… 另有 %1 处冲突</translation>
    </message>
    <message>
        <source>Print plan to PDF</source>
        <translation>将规划打印为 PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Camera plan — %1</source>
        <translation>摄像头规划 — %1</translation>
    </message>
    <message>
        <source>Synthetic sample data</source>
        <translation>模拟示例数据</translation>
    </message>
    <message>
        <source>Print plan</source>
        <translation>打印规划</translation>
    </message>
    <message>
        <source>Plan printed to %1.</source>
        <translation>规划已打印到 %1。</translation>
    </message>
</context>
<context>
    <name>ResultText</name>
    <message>
        <source>{0} protection zone(s) for {1} trees</source>
        <translation>为 {1} 株古树生成 {0} 个保护范围</translation>
    </message>
    <message>
        <source>Gi*: {0} hot cells ({1} at 99 %), {2} cold</source>
        <translation>Gi*：{0} 个热点格网（其中 99% 置信 {1} 个），{2} 个冷点</translation>
    </message>
    <message>
        <source>chosen by incremental spatial autocorrelation</source>
        <translation>由增量空间自相关选定</translation>
    </message>
    <message>
        <source>set by you</source>
        <translation>由您设定</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>; distance band {0} ({1})</source>
        <translation>；距离带 {0}（{1}）</translation>
    </message>
    <message>
        <source>; {0} nearest neighbours</source>
        <translation>；{0} 个最近邻</translation>
    </message>
    <message>
        <source>; {0} incidents</source>
        <translation>；{0} 起警情</translation>
    </message>
    <message>
        <source>, cell {0}</source>
        <translation>，格网 {0}</translation>
    </message>
    <message>
        <source>Hot spot, 99 % confidence</source>
        <translation>热点，99% 置信度</translation>
    </message>
    <message>
        <source>Hot spot, 95 % confidence</source>
        <translation>热点，95% 置信度</translation>
    </message>
    <message>
        <source>Hot spot, 90 % confidence</source>
        <translation>热点，90% 置信度</translation>
    </message>
    <message>
        <source>Cold spot, 90 % confidence</source>
        <translation>冷点，90% 置信度</translation>
    </message>
    <message>
        <source>Cold spot, 95 % confidence</source>
        <translation>冷点，95% 置信度</translation>
    </message>
    <message>
        <source>Cold spot, 99 % confidence</source>
        <translation>冷点，99% 置信度</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Cells</source>
        <translation>格网数</translation>
    </message>
    <message>
        <source>hexagons</source>
        <translation>六边形</translation>
    </message>
    <message>
        <source>squares</source>
        <translation>方格</translation>
    </message>
    <message>
        <source>{0} incidents in {1} {2} of {3}; the busiest cell holds {4}, {5} cells have any</source>
        <translation>{0} 起警情分布在 {1} 个边长 {3} 的{2}中；最多的格网有 {4} 起，{5} 个格网有警情</translation>
    </message>
    <message>
        <source>Kernel density of {0} incidents: bandwidth {1} ({2}), cell {3}; peak {4} incidents per km²</source>
        <translation>{0} 起警情的核密度：带宽 {1}（{2}），格网 {3}；峰值每平方公里 {4} 起</translation>
    </message>
    <message>
        <source>Period A {0}: {1} incidents; period B {2}: {3} incidents; the three layers share one grid and colour scale (B − A: red more, blue fewer)</source>
        <translation>时段 A {0}：{1} 起警情；时段 B {2}：{3} 起警情；三个图层使用相同格网和色阶（B − A：红色增加，蓝色减少）</translation>
    </message>
    <message>
        <source>{0} trees graded: grade 1 {1}, grade 2 {2}, grade 3 {3}, grade 4 {4}, not graded {5}; {6} recorded grade(s) differ; {7} tree(s) with data issues</source>
        <translation>已评定 {0} 株古树：一级 {1}，二级 {2}，三级 {3}，四级 {4}，未定级 {5}；{6} 株登记等级不一致；{7} 株数据有问题</translation>
    </message>
    <message>
        <source>Grade {0}</source>
        <translation>{0} 级</translation>
    </message>
    <message>
        <source>Not graded</source>
        <translation>未定级</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Trees</source>
        <translation>古树</translation>
    </message>
    <message>
        <source>Data issues: {0}</source>
        <translation>数据问题：{0}</translation>
    </message>
    <message>
        <source>As of {0}: overdue {1}, never surveyed {2}, due this year {3}, up to date {4} ({5} trees)</source>
        <translation>截至 {0}：逾期 {1}，从未普查 {2}，今年到期 {3}，按期 {4}（共 {5} 株）</translation>
    </message>
    <message>
        <source>{0} conflict(s): {1} feature(s) of {2} touch the protection zones of {3} tree(s)</source>
        <translation>{0} 处冲突：{2} 的 {1} 个要素触及 {3} 株古树的保护范围</translation>
    </message>
    <message>
        <source>the planned works</source>
        <translation>规划工程</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Existing cameras cover {0} of {1} incidents ({2}).</source>
        <translation>现有摄像头覆盖 {1} 起警情中的 {0} 起（{2}）。</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Covered</source>
        <translation>已覆盖</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Beat</source>
        <translation>警务区</translation>
    </message>
    <message>
        <source>{0} clusters of uncovered incidents (largest: {1} uncovered).</source>
        <translation>{0} 个未覆盖警情聚集区（最大的有 {1} 起未覆盖）。</translation>
    </message>
    <message>
        <source>{0} new sites would cover {1} more incidents: coverage from {2} to {3} ({4} solution).</source>
        <translation>新增 {0} 个点位将多覆盖 {1} 起警情：覆盖率从 {2} 提高到 {3}（{4}解）。</translation>
    </message>
    <message>
        <source>exact</source>
        <translation>精确</translation>
    </message>
    <message>
        <source>greedy</source>
        <translation>贪心</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>点位</translation>
    </message>
    <message>
        <source>Gain</source>
        <translation>增益</translation>
    </message>
    <message>
        <source>Share covered</source>
        <translation>覆盖占比</translation>
    </message>
    <message>
        <source>{0} candidate sites excluded by the constraints.</source>
        <translation>{0} 个候选点位被约束条件排除。</translation>
    </message>
    <message>
        <source>Too few incidents before to compare.</source>
        <translation>之前的警情太少，无法比较。</translation>
    </message>
    <message>
        <source>Incidents did not fall in the covered area relative to the control area; the WDQ cannot be read.</source>
        <translation>相对对照区，覆盖区警情未下降；WDQ 无法解读。</translation>
    </message>
    <message>
        <source>Incidents fell in the covered area, and the buffer benefited too (diffusion of benefits).</source>
        <translation>覆盖区警情下降，缓冲区也随之受益（效益扩散）。</translation>
    </message>
    <message>
        <source>Incidents fell in the covered area, but some moved into the buffer (displacement).</source>
        <translation>覆盖区警情下降，但部分警情转移到缓冲区（犯罪转移）。</translation>
    </message>
    <message>
        <source>Incidents fell in the covered area, with no displacement or diffusion.</source>
        <translation>覆盖区警情下降，无转移也无扩散。</translation>
    </message>
    <message>
        <source>Covered area</source>
        <translation>覆盖区</translation>
    </message>
    <message>
        <source>Buffer</source>
        <translation>缓冲区</translation>
    </message>
    <message>
        <source>Control area</source>
        <translation>对照区</translation>
    </message>
    <message>
        <source>{0}: {1} cameras, {2} days before and after</source>
        <translation>{0}：{1} 个摄像头，前后各 {2} 天</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>之前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>之后</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Zone</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>WDQ {0}: {1}</source>
        <translation>WDQ {0}：{1}</translation>
    </message>
    <message>
        <source>Small counts: read with care.</source>
        <translation>样本较少：请谨慎解读。</translation>
    </message>
</context>
<context>
    <name>SaveToDatabaseDialog</name>
    <message>
        <source>Save {0} to database</source>
        <translation>将 {0} 保存到数据库</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>A new table; refused if it exists</source>
        <translation>新建表；表已存在时拒绝</translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <source>Replace the rows (and columns) of the table</source>
        <translation>替换表中的行（及列）</translation>
    </message>
    <message>
        <source>Append</source>
        <translation>追加</translation>
    </message>
    <message>
        <source>Add the rows to the existing table</source>
        <translation>将行追加到已有表</translation>
    </message>
    <message>
        <source>Only the features passing the filter ({0} of {1})</source>
        <translation>仅保存通过筛选的要素（{1} 个中的 {0} 个）</translation>
    </message>
    <message>
        <source>Add the table to the map afterwards</source>
        <translation>保存后将该表添加到地图</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Schema</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>Table</source>
        <translation>表</translation>
    </message>
    <message>
        <source>If the table exists</source>
        <translation>表已存在时</translation>
    </message>
    <message>
        <source>Written in one transaction: on any error or Cancel the database stays as it was.</source>
        <translation>在一个事务中写入：出错或取消时数据库保持原样。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Choose a connection (Database ▸ Connections… adds one).</source>
        <translation>请选择连接（“数据库 ▸ 连接…”可新增）。</translation>
    </message>
    <message>
        <source>The layer has no features to save.</source>
        <translation>该图层没有可保存的要素。</translation>
    </message>
    <message>
        <source>Writing {0} rows…</source>
        <translation>正在写入 {0} 行…</translation>
    </message>
    <message>
        <source>Saving {0}</source>
        <translation>正在保存 {0}</translation>
    </message>
    <message>
        <source>Saved {0} rows to {1}.</source>
        <translation>已将 {0} 行保存到 {1}。</translation>
    </message>
    <message>
        <source>Cancelled: nothing was written.</source>
        <translation>已取消：未写入任何内容。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
</context>
<context>
    <name>StyleDialog</name>
    <message>
        <source>Layer properties — {0}</source>
        <translation>图层属性 — {0}</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Single symbol</source>
        <translation>单一符号</translation>
    </message>
    <message>
        <source>Categorized</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Graduated</source>
        <translation>分级</translation>
    </message>
    <message>
        <source>Raster (density)</source>
        <translation>栅格（密度）</translation>
    </message>
    <message>
        <source>from</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Circle</source>
        <translation>圆形</translation>
    </message>
    <message>
        <source>Square</source>
        <translation>方形</translation>
    </message>
    <message>
        <source>Triangle</source>
        <translation>三角形</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>菱形</translation>
    </message>
    <message>
        <source>Cross</source>
        <translation>十字</translation>
    </message>
    <message>
        <source>Star</source>
        <translation>星形</translation>
    </message>
    <message>
        <source>Draw camera view wedges</source>
        <translation>绘制摄像头视域扇形</translation>
    </message>
    <message>
        <source>Style</source>
        <translation>样式</translation>
    </message>
    <message>
        <source>Fill colour</source>
        <translation>填充颜色</translation>
    </message>
    <message>
        <source>Stroke colour</source>
        <translation>边线颜色</translation>
    </message>
    <message>
        <source>Stroke width (px)</source>
        <translation>边线宽度（像素）</translation>
    </message>
    <message>
        <source>Fill opacity</source>
        <translation>填充不透明度</translation>
    </message>
    <message>
        <source>Symbol size (px)</source>
        <translation>符号大小（像素）</translation>
    </message>
    <message>
        <source>Size by field</source>
        <translation>按字段设置大小</translation>
    </message>
    <message>
        <source>Marker</source>
        <translation>符号形状</translation>
    </message>
    <message>
        <source>Symbol</source>
        <translation>符号</translation>
    </message>
    <message>
        <source>Classify by field</source>
        <translation>分类字段</translation>
    </message>
    <message>
        <source>Quantiles</source>
        <translation>分位数</translation>
    </message>
    <message>
        <source>Natural breaks (Jenks)</source>
        <translation>自然断点（Jenks）</translation>
    </message>
    <message>
        <source>Equal interval</source>
        <translation>等间距</translation>
    </message>
    <message>
        <source>Class bounds, lowest first, separated by commas</source>
        <translation>分级界限，从小到大，用逗号分隔</translation>
    </message>
    <message>
        <source>Compute breaks</source>
        <translation>计算断点</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>分级</translation>
    </message>
    <message>
        <source>Colour ramp</source>
        <translation>色带</translation>
    </message>
    <message>
        <source>Breaks</source>
        <translation>断点</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标注</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Classify</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>One category per distinct value of the field</source>
        <translation>字段的每个不同值作为一个类别</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Categories (untick to hide a category)</source>
        <translation>类别（取消勾选以隐藏类别）</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Fix the colour scale so two maps are comparable</source>
        <translation>固定色标，使两幅地图可以比较</translation>
    </message>
    <message>
        <source>Label field</source>
        <translation>标注字段</translation>
    </message>
    <message>
        <source>Label size (pt)</source>
        <translation>标注字号（磅）</translation>
    </message>
    <message>
        <source>Label colour</source>
        <translation>标注颜色</translation>
    </message>
    <message>
        <source>Colour scale minimum</source>
        <translation>色标最小值</translation>
    </message>
    <message>
        <source>Colour scale maximum</source>
        <translation>色标最大值</translation>
    </message>
    <message>
        <source>Raster opacity</source>
        <translation>栅格不透明度</translation>
    </message>
    <message>
        <source>Layer opacity</source>
        <translation>图层不透明度</translation>
    </message>
    <message>
        <source>Labels and scale</source>
        <translation>标注与色标</translation>
    </message>
    <message>
        <source>Protected trees</source>
        <translation>古树名木</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Cameras</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Other (generic)</source>
        <translation>其他（通用）</translation>
    </message>
    <message>
        <source>Analysis result</source>
        <translation>分析结果</translation>
    </message>
    <message>
        <source>Match fields by name</source>
        <translation>按名称匹配字段</translation>
    </message>
    <message>
        <source>Layer role</source>
        <translation>图层类型</translation>
    </message>
    <message>
        <source>Role and fields</source>
        <translation>类型与字段</translation>
    </message>
    <message>
        <source>(not mapped)</source>
        <translation>（未映射）</translation>
    </message>
    <message>
        <source>Column holding the canonical field “{0}”</source>
        <translation>对应标准字段“{0}”的列</translation>
    </message>
    <message>
        <source>This role has no canonical fields.</source>
        <translation>此类型没有标准字段。</translation>
    </message>
</context>
<context>
    <name>TemporalPage</name>
    <message>
        <source>Temporal pattern</source>
        <translation>时间规律</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>警情</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Incidents by weekday and hour of the filtered layer: when offenders are most likely to strike; incidents per day; and yesterday against the previous 28 days (the morning briefing).</source>
        <translation>筛选后图层按星期和小时的警情数：作案最可能发生的时段；每日警情数；以及昨日与前 28 天的对比（晨会通报）。</translation>
    </message>
    <message>
        <source>Type / beat</source>
        <translation>类型 / 警务区</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨日</translation>
    </message>
    <message>
        <source>Mean of 28 days</source>
        <translation>前 28 天日均</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>{0} has no time column.</source>
        <translation>{0} 没有时间字段。</translation>
    </message>
    <message>
        <source>Incidents by weekday and hour</source>
        <translation>按星期和小时的警情数</translation>
    </message>
    <message>
        <source>Incidents per day</source>
        <translation>每日警情数</translation>
    </message>
    <message>
        <source>Peak: {0} incidents on {1} {2:02d}:00–{3:02d}:00</source>
        <translation>高峰：{1} {2:02d}:00–{3:02d}:00，共 {0} 起</translation>
    </message>
    <message>
        <source>Morning briefing: {0} against {1} – {2}</source>
        <translation>晨会通报：{0} 对比 {1} – {2}</translation>
    </message>
    <message>
        <source>All incidents</source>
        <translation>全部警情</translation>
    </message>
</context>
<context>
    <name>TimeSlider</name>
    <message>
        <source>Time window</source>
        <translation>时间窗口</translation>
    </message>
    <message>
        <source>Show only the features inside a moving date window</source>
        <translation>只显示移动日期窗口内的要素</translation>
    </message>
    <message>
        <source>Length</source>
        <translation>长度</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步长</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>周</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>One window</source>
        <translation>一个窗口</translation>
    </message>
    <message>
        <source>One day</source>
        <translation>一天</translation>
    </message>
    <message>
        <source>One week</source>
        <translation>一周</translation>
    </message>
    <message>
        <source>Time between frames while playing</source>
        <translation>播放时每帧的间隔</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Play the time window forward (Ctrl+Space)</source>
        <translation>向前播放时间窗口（Ctrl+空格）</translation>
    </message>
    <message>
        <source>No time column</source>
        <translation>无时间字段</translation>
    </message>
</context>
<context>
    <name>ToolPage</name>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Run in the background; results are added as new layers</source>
        <translation>在后台运行；结果作为新图层添加</translation>
    </message>
    <message>
        <source>Choose a layer with features for {0}.</source>
        <translation>请为{0}选择一个含有要素的图层。</translation>
    </message>
    <message>
        <source>Analysis failed</source>
        <translation>分析失败</translation>
    </message>
    <message>
        <source>{0}: cancelled</source>
        <translation>{0}：已取消</translation>
    </message>
</context>
<context>
    <name>TreeInspector</name>
    <message>
        <source>Print record…</source>
        <translation>打印档案…</translation>
    </message>
    <message>
        <source>A one-page PDF record of this tree with a locator map</source>
        <translation>该古树的单页 PDF 档案，附位置图</translation>
    </message>
    <message>
        <source>Zoom to tree</source>
        <translation>缩放到古树</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>No tree selected</source>
        <translation>未选择古树</translation>
    </message>
    <message>
        <source>(no tree id)</source>
        <translation>（无古树编号）</translation>
    </message>
    <message>
        <source>Reason: {0}</source>
        <translation>原因：{0}</translation>
    </message>
    <message>
        <source>Census: {0} · next survey due {1} · adopted by: {2}</source>
        <translation>普查：{0} · 下次普查 {1} · 认养人：{2}</translation>
    </message>
    <message>
        <source>Print tree record</source>
        <translation>打印古树档案</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Print record</source>
        <translation>打印档案</translation>
    </message>
    <message>
        <source>Cannot write the record: {0}</source>
        <translation>无法写入档案：{0}</translation>
    </message>
</context>
<context>
    <name>TreePage</name>
    <message>
        <source>Trees</source>
        <translation>古树</translation>
    </message>
    <message>
        <source>Protection grades by the Shanxi rules, the five-yearly census, protection zones, conflicts with planned works, and the record of the selected tree.</source>
        <translation>按山西省办法分级保护、五年一次普查、保护范围、与规划施工的冲突，以及选中树木的档案。</translation>
    </message>
    <message>
        <source>Grade trees</source>
        <translation>树木分级</translation>
    </message>
    <message>
        <source>Census status</source>
        <translation>普查状态</translation>
    </message>
    <message>
        <source>Protection zones</source>
        <translation>保护范围</translation>
    </message>
    <message>
        <source>Conflicts with planned works</source>
        <translation>与规划施工的冲突</translation>
    </message>
    <message>
        <source>Inspect selected tree</source>
        <translation>查看选中树木</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Planned works</source>
        <translation>规划施工</translation>
    </message>
    <message>
        <source>Add a trees layer first.</source>
        <translation>请先添加古树图层。</translation>
    </message>
    <message>
        <source>Select a tree on the map or in the table first.</source>
        <translation>请先在地图或属性表中选择一棵树。</translation>
    </message>
    <message>
        <source>Choose the layer of planned works.</source>
        <translation>请选择规划施工图层。</translation>
    </message>
</context>
<context>
    <name>TreeToolsPanel</name>
    <message>
        <source>Trees layer</source>
        <translation>古树图层</translation>
    </message>
    <message>
        <source>As of</source>
        <translation>截至</translation>
    </message>
    <message>
        <source>Planned works layer</source>
        <translation>规划工程图层</translation>
    </message>
    <message>
        <source>Registry</source>
        <translation>名录</translation>
    </message>
    <message>
        <source>Five-yearly census</source>
        <translation>五年一次普查</translation>
    </message>
    <message>
        <source>Conflicts with protection zones</source>
        <translation>与保护范围的冲突</translation>
    </message>
    <message>
        <source>Grade the registry</source>
        <translation>评定名录等级</translation>
    </message>
    <message>
        <source>Compute grades by the Shanxi rules; the layer is coloured by grade</source>
        <translation>按山西省规定计算保护等级；图层按等级着色</translation>
    </message>
    <message>
        <source>Census state</source>
        <translation>普查状态</translation>
    </message>
    <message>
        <source>Build protection zones</source>
        <translation>生成保护范围</translation>
    </message>
    <message>
        <source>Check conflicts</source>
        <translation>检查冲突</translation>
    </message>
    <message>
        <source>Print census work list…</source>
        <translation>打印普查工作清单…</translation>
    </message>
    <message>
        <source>Export registry…</source>
        <translation>导出名录…</translation>
    </message>
    <message>
        <source>Tree ID</source>
        <translation>古树编号</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Distance (m)</source>
        <translation>距离（米）</translation>
    </message>
    <message>
        <source>Summaries appear here.</source>
        <translation>摘要显示在这里。</translation>
    </message>
    <message>
        <source>Tree tools</source>
        <translation>古树工具</translation>
    </message>
    <message>
        <source>Add a layer of protected trees first.</source>
        <translation>请先添加古树名木图层。</translation>
    </message>
    <message>
        <source>Grade 1</source>
        <translation>一级</translation>
    </message>
    <message>
        <source>Grade 2</source>
        <translation>二级</translation>
    </message>
    <message>
        <source>Grade 3</source>
        <translation>三级</translation>
    </message>
    <message>
        <source>Grade 4</source>
        <translation>四级</translation>
    </message>
    <message>
        <source>Not graded</source>
        <translation>未定级</translation>
    </message>
    <message>
        <source>The layer changed while grading; run it again.</source>
        <translation>评定期间图层已更改；请重新运行。</translation>
    </message>
    <message>
        <source>{0} trees graded: grade 1 {1}, grade 2 {2}, grade 3 {3}, grade 4 {4}, not graded {5}; {6} recorded grade(s) differ; {7} tree(s) with data issues</source>
        <translation>已评定 {0} 株古树：一级 {1}，二级 {2}，三级 {3}，四级 {4}，未定级 {5}；{6} 株登记等级不一致；{7} 株数据有问题</translation>
    </message>
    <message>
        <source>As of {0}: overdue {1}, never surveyed {2}, due this year {3}, up to date {4} ({5} trees)</source>
        <translation>截至 {0}：逾期 {1}，从未普查 {2}，今年到期 {3}，按期 {4}（共 {5} 株）</translation>
    </message>
    <message>
        <source>To visit: {0} tree(s) in {1} communit(ies)</source>
        <translation>待巡查：{1} 个社区的 {0} 株古树</translation>
    </message>
    <message>
        <source>Protection zones</source>
        <translation>保护范围</translation>
    </message>
    <message>
        <source>{0} protection zone(s) for {1} trees</source>
        <translation>为 {1} 株古树生成 {0} 个保护范围</translation>
    </message>
    <message>
        <source>Choose a layer of planned works (points, lines or polygons).</source>
        <translation>请选择规划工程图层（点、线或面）。</translation>
    </message>
    <message>
        <source>Conflicts — {0}</source>
        <translation>冲突 — {0}</translation>
    </message>
    <message>
        <source>{0} conflict(s): {1} feature(s) of {2} touch the protection zones of {3} tree(s)</source>
        <translation>{0} 处冲突：{2} 的 {1} 个要素触及 {3} 株古树的保护范围</translation>
    </message>
    <message>
        <source>Census work list</source>
        <translation>普查工作清单</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>PDF (*.pdf);;Excel (*.xlsx);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>Census work list written to {0}</source>
        <translation>普查工作清单已写入 {0}</translation>
    </message>
    <message>
        <source>Export registry</source>
        <translation>导出名录</translation>
    </message>
    <message>
        <source>Excel (*.xlsx);;CSV (*.csv);;GeoPackage (*.gpkg)</source>
        <translation>Excel (*.xlsx);;CSV (*.csv);;GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <source>Registry exported to {0}</source>
        <translation>名录已导出到 {0}</translation>
    </message>
</context>
<context>
    <name>Undo</name>
    <message>
        <source>Change style of {0}</source>
        <translation>更改 {0} 的样式</translation>
    </message>
    <message>
        <source>Filter {0}</source>
        <translation>筛选 {0}</translation>
    </message>
    <message>
        <source>Show {0}</source>
        <translation>显示 {0}</translation>
    </message>
    <message>
        <source>Hide {0}</source>
        <translation>隐藏 {0}</translation>
    </message>
    <message>
        <source>Opacity of {0}</source>
        <translation>{0} 的不透明度</translation>
    </message>
    <message>
        <source>Field mapping of {0}</source>
        <translation>{0} 的字段映射</translation>
    </message>
    <message>
        <source>Rename {0}</source>
        <translation>重命名 {0}</translation>
    </message>
    <message>
        <source>Add layer {0}</source>
        <translation>添加图层 {0}</translation>
    </message>
    <message>
        <source>Remove layer {0}</source>
        <translation>移除图层 {0}</translation>
    </message>
    <message>
        <source>Reorder layers</source>
        <translation>调整图层顺序</translation>
    </message>
</context>
<context>
    <name>_CategoryBox</name>
    <message>
        <source>All</source>
        <translation>全选</translation>
    </message>
    <message>
        <source>None</source>
        <translation>全不选</translation>
    </message>
</context>
</TS>